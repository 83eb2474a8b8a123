"""What a change caption claims, each fact bound to its role, in order.

A set of colours cannot tell "from purple to gray" from "from gray to purple", nor "a yellow top
and black trousers" from "a black top and yellow trousers". ``extract_claims`` reads a caption
into per-change claims: the objects it names (noun, the attributes bound to the noun or to the
clothing part they describe, the position words of the referring expression), the change's
position words in order, its before and after values, its direction and event words, how
many negations it states, and the number of changes the caption announces. The LLM fact guard
keeps a rewrite only when these equal the template's; evaluation can match a prediction's
claims against a pair's change records the same way. Words come from ``diffforge.vocabulary``.
"""

from diffforge.claims.extract import extract_claims, normalise
from diffforge.claims.model import ChangeClaims, Claims, ObjectClaim, claim_problems

__all__ = [
    "ChangeClaims",
    "Claims",
    "ObjectClaim",
    "claim_problems",
    "extract_claims",
    "normalise",
]
