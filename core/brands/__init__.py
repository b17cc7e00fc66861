"""Brand guidelines per persona: stored, looked up with a fallback to the default brand."""

from core.brands.service import BrandService
from core.brands.views import BrandView

__all__ = ["BrandService", "BrandView"]
