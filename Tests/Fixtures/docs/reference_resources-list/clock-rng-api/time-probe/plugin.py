import uuid


class TimeProbe:
    """DERIVED: every documented Clock/Rng method, plus the 0.4.1 names random()/randint()."""

    def setup(self, ctx):
        self._clock = ctx.resources.clock
        self._rng = ctx.resources.rng

    def check(self):
        now = self._clock.now()
        m1 = self._clock.monotonic_ns()
        m2 = self._clock.monotonic_ns()
        f = self._rng.next_float()
        i = self._rng.next_int(10, 20)
        u = self._rng.uuid4()
        c = self._rng.choice(["a", "b", "c"])
        return {
            "now_is_aware": now.tzinfo is not None,
            "monotonic_non_decreasing": isinstance(m1, int) and m2 >= m1,
            "next_float_in_range": 0.0 <= f < 1.0,
            "next_int_in_range": isinstance(i, int) and 10 <= i <= 20,
            "uuid4_is_v4": uuid.UUID(u).version == 4,
            "choice_in_items": c in ["a", "b", "c"],
            "reference_random": 0.0 <= self._rng.random() < 1.0,
            "reference_randint": 1 <= self._rng.randint(1, 6) <= 6,
        }
