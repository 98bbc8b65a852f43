from tests.power.conftest import changda, company, relaxed  # noqa: F401 - the power company's fixtures
