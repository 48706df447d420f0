"""Language-aware text tools with no Django import: language identification,
stems, readability, tone, similarity and classifiers.  Plain functions over
plain data, testable and benchmarkable alone (see DESIGN.md, "the walls of the
house")."""
