"""A farm's ranked recommendations (farmadvice.advice): whoever may see the farm (operators: their own
farms, others are 404)."""

from django.http import HttpRequest
from django.utils import translation
from ninja import Query, Router

from api.schemas.advice import AdviceQuery, FarmAdviceOut
from api.schemas.common import ErrorOut, ValidationErrorOut
from farmadvice.advice.engine import farm_advice_get

router = Router(tags=["advice"])

READ_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("/farms/{code}/advice", response={200: FarmAdviceOut, **READ_ERRORS})
def farm_advice(request: HttpRequest, code: str, filters: Query[AdviceQuery]):
    """Ranked recommendations for the farm and year, each with its expected TN/TP load reduction (95 %
    interval, or the flagged export-coefficient fallback) and the standard or figure it rests on."""
    advice = farm_advice_get(user=request.auth, code=code, year=filters.year)
    # The texts render when read: serialise inside the language asked for.
    with translation.override(filters.lang or translation.get_language()):
        return FarmAdviceOut.from_orm(advice)
