import pytest

from enrollment.models import Role
from tests import factories
from tests.factories import GRID, NEIGHBOUR_GRID

from .factories import assign


@pytest.fixture
def worker(grid_worker):
    """The shared grid worker, on their grid."""
    assign(grid_worker, GRID)
    return grid_worker


@pytest.fixture
def neighbour_worker(region_tree):
    user = factories.make_user("neighbour_worker", Role.GRID_WORKER, NEIGHBOUR_GRID)
    assign(user, NEIGHBOUR_GRID)
    return user
