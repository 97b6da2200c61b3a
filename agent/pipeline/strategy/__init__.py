"""Strategy content from segments and evidence: facts per segment, targeting and migration, the plan."""
