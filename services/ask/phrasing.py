"""Optional: a language model phrases an answer from the facts the bot found, and nothing else.

The model gets the question and the answer's facts and spoiler-free review excerpts as numbered lines (see
services.language_model); the answer keeps its facts and gains the model's wording only if that is grounded in them.
"""

from __future__ import annotations

from dataclasses import replace

from services.ask.values import Answer
from services.language_model import LanguageModel

INSTRUCTIONS = (
    "You answer questions in a film club's chat. Answer only from the numbered lines below, in one to three "
    "sentences, citing the lines you used as [1], [2]. Name no person or film the lines do not name. If the "
    "lines do not answer the question, say that you don't know."
)


async def phrase(model: LanguageModel, question: str, answer: Answer) -> Answer:
    """``answer`` phrased by the model, or ``answer`` itself if the model fails, is late or invents. Choices and
    declines are not sent."""
    if answer.options or not answer.understood:
        return answer
    reply = await model.word(INSTRUCTIONS, answer.context_lines(), f"Question: {question}")
    return replace(answer, phrased=reply) if reply else answer
