"""Claims are tests: every sentence a page states about a measurement is recomputed here,
independently (NumPy closed forms, float64, Keras in another mode), over several seeds."""

SEEDS = (0, 1, 2, 3, 4)
