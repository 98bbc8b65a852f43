"""The routing engine: a plain problem (places, stops, fleet, travel matrices) in, routes with
arrival times and loads out, solved with PyVRP. No Django here: the delivery app builds the
problem from its models, and `fugong solve_vrp` builds it from benchmark files."""
