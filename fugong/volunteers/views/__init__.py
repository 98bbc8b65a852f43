"""Pages for coordinators (teams, calls, shifts, statistics, cases) and for members on their
phones (answering a call through its link, their own shifts)."""
