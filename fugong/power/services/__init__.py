"""Every state change of this app, one module per domain; views, the API, tasks and commands call these."""
