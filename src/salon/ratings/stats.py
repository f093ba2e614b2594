"""Rating aggregates, from the count of ratings per value."""

import math

from pydantic import BaseModel, Field

from salon.records import VISITOR_STATUSES, AmbassadorStatus

SATISFIED = 4  # a score of 4 or 5 counts as satisfied
Z_95 = 1.959963984540054


class RatingStats(BaseModel):
    nb_asked_ratings: int = Field(description="Ratings asked (every rating, answered or not)")
    nb_ratings: int = Field(description="Ratings given (with a value)")
    avg_rating: float | None = Field(description="Mean value of the ratings given")
    distribution: dict[str, int] = Field(description='Ratings given per value, "0" to "5"')
    response_rate: float | None = Field(description="nb_ratings / nb_asked_ratings")
    share_satisfied: float | None = Field(description="Share of ratings given that are 4 or 5")
    wilson_lower_bound: float | None = Field(
        description="Lower bound of the 95% Wilson interval of share_satisfied: ranks fairly "
        "between ambassadors with few and many ratings"
    )

    @classmethod
    def of(cls, counts: dict[int | None, int]) -> "RatingStats":
        asked = sum(counts.values())
        distribution = {str(value): counts.get(value, 0) for value in range(6)}
        given = sum(distribution.values())
        satisfied = sum(counts.get(value, 0) for value in range(SATISFIED, 6))
        total = sum(value * count for value, count in counts.items() if value is not None)
        return cls(
            nb_asked_ratings=asked,
            nb_ratings=given,
            avg_rating=round(total / given, 2) if given else None,
            distribution=distribution,
            response_rate=round(given / asked, 4) if asked else None,
            share_satisfied=round(satisfied / given, 4) if given else None,
            wilson_lower_bound=round(wilson_lower_bound(satisfied, given), 4) if given else None,
        )


def wilson_lower_bound(positive: int, total: int, z: float = Z_95) -> float:
    """Lower bound of the Wilson score interval for a proportion positive/total."""
    if total == 0:
        return 0.0
    p = positive / total
    denominator = 1 + z * z / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - margin) / denominator


class PeriodStats(RatingStats):
    """The stats of the period a report is compared with."""

    date_from: str = Field(description="its first UTC day")
    date_to: str = Field(description="its last UTC day")


PREVIOUS_PERIOD = Field(
    default=None,
    description="With compare=previous_period: the same stats over as many days just before "
    "the range (null otherwise, or when the range starts on 0001-01-01)",
)


class ComparedStats(RatingStats):
    previous_period: PeriodStats | None = PREVIOUS_PERIOD


class DayStats(BaseModel):
    date: str = Field(description="UTC day, YYYY-MM-DD, of the requests")
    nb_asked_ratings: int
    nb_ratings: int = Field(description="Of the ratings asked that day, those given since")
    avg_rating: float | None


class BrandRatingStats(RatingStats):
    date_from: str
    date_to: str
    series: list[DayStats] = Field(description="One entry per day of the range, gaps as zeros")
    previous_period: PeriodStats | None = PREVIOUS_PERIOD


class LeaderboardEntry(RatingStats):
    """One rated ambassador's ratings over the period, and their place."""

    rank: int = Field(description="1 for the first of the whole ranking, in its order")
    id_ambassador: int
    firstname: str
    lastname: str
    image: str | None
    previous_period: RatingStats | None = Field(
        default=None,
        description="With compare=previous_period: their stats over as many days just before "
        "the range (zeros when they were not rated then)",
    )
    previous_rank: int | None = Field(
        default=None,
        description="With compare=previous_period: their rank in that period's ranking, by "
        "the same rules (null when not ranked then)",
    )


# Whose voices the leaderboard counts (its `filter[raters]`): shoppers only, never a colleague.
# "customers" leaves out guests, whom anyone can make, the rated ambassador included.
RATERS: dict[str, tuple[int, ...]] = {
    "visitors": tuple(VISITOR_STATUSES),
    "customers": (AmbassadorStatus.CLIENT,),
}

# What the leaderboard ranks by (its `sort`), each best first.
RANKED_BY = ("wilson_lower_bound", "avg_rating", "share_satisfied", "nb_ratings", "response_rate")


def ranked(stats: dict[int, RatingStats], by: str) -> list[tuple[int, RatingStats]]:
    """(ambassador id, stats), best first by `by`; ties go to more ratings, then the lower id.
    An ambassador with no rating given yet (null averages) comes last."""
    assert by in RANKED_BY

    def key(item: tuple[int, RatingStats]) -> tuple[bool, float, int, int]:
        id_ambassador, entry = item
        value = getattr(entry, by)
        return (value is None, -(value or 0.0), -entry.nb_ratings, id_ambassador)

    return sorted(stats.items(), key=key)
