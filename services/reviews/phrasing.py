"""Optional: a language model words a film's consensus from what the summary picked, and nothing else.

The model gets the figures and the spoiler-free excerpts of a report as numbered lines (FilmReport.context_lines;
spoiler text is never sent) through services.language_model. Its consensus is kept only if it is grounded in those
lines; otherwise the report's own consensus stands. A report without a consensus (too few spoiler-free reviews) is
not sent.
"""

from __future__ import annotations

from dataclasses import replace

from services.language_model import LanguageModel
from services.reviews.summary import FilmReport

INSTRUCTIONS = (
    "You sum up what a film club's members think of a film. Using only the numbered lines below (the reviews' "
    "figures, and sentences from the reviews with who wrote them), write the consensus in one or two sentences, "
    "citing the lines you used as [1], [2]. Name no person or film the lines do not name, give no figure they do "
    "not give, and reveal nothing of the plot beyond them."
)


async def phrase(model: LanguageModel, report: FilmReport) -> FilmReport:
    """``report`` with the model's consensus, or ``report`` itself if the model fails, is late or invents."""
    if not report.consensus:
        return report
    reply = await model.word(INSTRUCTIONS, report.context_lines(), f"Film: {report.film_label}")
    return replace(report, phrased=reply) if reply else report
