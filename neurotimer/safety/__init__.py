"""Whether stimulation may happen: rules, screening, findings and the verdict."""
