"""What must hold before anyone reads the data: GX suites, defined in code, and their runner."""
