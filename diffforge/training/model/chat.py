"""Chat formats: the text a collator wraps around a sample's images and prompt. A backbone names
its format, so one with another template needs no change to the collator."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM = "You are a helpful assistant."


@dataclass(frozen=True)
class ChatFormat:
    """The fixed text of one training/generation sequence:
    ``head`` images ``prompt`` ``tail`` answer ``eos``, and for each later exchange of a
    multi-turn conversation ``turn`` prompt ``tail`` answer ``eos``."""

    head: str  # system turn and the opening of the user turn (the images follow)
    tail: str  # closes the user turn and opens the assistant's
    eos: str  # ends the answer; generation stops at it
    pad_fallback: str  # padding for a tokenizer without a pad token
    turn: str = ""  # after an answer's eos: opens the next user turn (multi-turn conversations)


CHATML = ChatFormat(
    head=f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n",
    tail="<|im_end|>\n<|im_start|>assistant\n",
    eos="<|im_end|>",
    pad_fallback="<|endoftext|>",
    turn="\n<|im_start|>user\n",
)
