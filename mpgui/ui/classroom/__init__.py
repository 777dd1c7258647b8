"""For the classroom: the gallery, presentation mode, the explanation beside
the chart, and the first-run tour."""
