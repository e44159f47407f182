"""Fuzzing the pipeline: seed strategies shared with the property tests, and a coverage-guided
target for atheris (``make fuzz``)."""
