import dataclasses
import enum
import unittest

import support  # noqa: F401  (puts the host on sys.path)
from dagstack_host.shim import STOP_CHAIN
from dagstack_host.values import STOP_CHAIN_MARKER, Record, SerializationError, copy_json, from_json, to_json


class Point:
    def __init__(self, x):
        self.x = x


class Model:
    """Looks like a pydantic model: the host serialises what model_dump returns."""

    def model_dump(self):
        return {"name": "m", "sizes": (1, 2)}


@dataclasses.dataclass
class Chunk:
    text: str
    offset: int


class Colour(enum.IntEnum):
    RED = 1


class ToJSONTests(unittest.TestCase):
    def test_plain_values_pass_through_unchanged(self):
        value = {"a": [1, 2.5, "x", True, None], "b": {"c": []}}
        self.assertEqual(to_json(value), value)

    def test_tuples_become_lists_unless_strict(self):
        self.assertEqual(to_json({"t": (1, (2, 3))}), {"t": [1, [2, 3]]})
        with self.assertRaises(SerializationError) as raised:
            to_json({"a": [0, (1, 2)]}, strict=True)
        self.assertEqual(str(raised.exception), "$.a[1]: a tuple comes back from JSON as a list; return a list")

    def test_a_value_json_cannot_carry_names_its_path(self):
        with self.assertRaises(SerializationError) as raised:
            to_json({"a": [1, {"b": float("nan")}]})
        self.assertEqual(str(raised.exception), "$.a[1].b: nan is not a JSON number")
        with self.assertRaises(SerializationError) as raised:
            to_json([float("inf")], path="result")
        self.assertEqual(str(raised.exception), "result[0]: inf is not a JSON number")

    def test_keys_that_differ_only_in_normalisation_are_refused_where_they_are(self):
        with self.assertRaises(SerializationError) as raised:
            to_json({"a": [{"caf\u00e9": 1, "cafe\u0301": 2}]})
        self.assertEqual(str(raised.exception), '$.a[0]: two keys differ only in Unicode normalisation ("caf\\u00e9" and '
                                                '"cafe\\u0301"); an object here cannot hold both')
        # The Kelvin sign is the letter K once normalised.
        with self.assertRaises(SerializationError):
            to_json({"K": 1, "\u212a": 2})
        # Its clean twin: keys distinct after normalisation pass, as they are.
        self.assertEqual(to_json({"caf\u00e9": 1, "cafe": 2}), {"caf\u00e9": 1, "cafe": 2})

    def test_non_string_keys_and_objects_are_refused(self):
        with self.assertRaises(SerializationError) as raised:
            to_json({1: "one"})
        self.assertEqual(str(raised.exception), "$: dict key 1 is a int, JSON keys are strings")
        with self.assertRaises(SerializationError) as raised:
            to_json({"p": Point(1)})
        self.assertEqual(str(raised.exception), "$.p: a test_values.Point cannot be carried as JSON")

    def test_dataclasses_models_and_int_enums_are_carried_as_their_values(self):
        self.assertEqual(to_json([Chunk("Hello", 0)]), [{"text": "Hello", "offset": 0}])
        self.assertEqual(to_json(Model()), {"name": "m", "sizes": [1, 2]})
        self.assertEqual(to_json({"c": Colour.RED}), {"c": 1})
        self.assertIs(type(to_json(Colour.RED)), int)

    def test_stop_chain_travels_as_its_marker_and_comes_back_as_the_same_object(self):
        self.assertEqual(to_json(STOP_CHAIN), STOP_CHAIN_MARKER)
        self.assertIs(from_json({"__dagstack__": "STOP_CHAIN"}), STOP_CHAIN)
        other = {"__dagstack__": "other"}
        self.assertEqual(from_json(other), other)

    def test_objects_arrive_as_records_readable_by_key_and_by_attribute(self):
        order = from_json({"id": 7, "items": [{"price": 2.5, "quantity": 2}], "get": "a key"})
        self.assertEqual(order["id"], 7)
        self.assertEqual(order.id, 7)
        self.assertEqual(sum(item.price * item.quantity for item in order.items), 5.0)  # the key wins over dict.items
        self.assertEqual(order.get, "a key")
        self.assertEqual({**order}["id"], 7)
        plain = from_json({"text": "x"})
        self.assertEqual(plain.get("text"), "x")  # no such key: the dict method
        with self.assertRaises(AttributeError):
            plain.missing
        self.assertEqual(to_json(order), {"id": 7, "items": [{"price": 2.5, "quantity": 2}], "get": "a key"})
        self.assertEqual(Record.fromkeys(["a"], 1), {"a": 1})
        self.assertFalse(hasattr(order, "__await__"))
        keyed = from_json({"keys": 1, "values": 2, "copy": 3, "pop": 4, "update": 5})
        self.assertEqual([keyed.keys, keyed.values, keyed.copy, keyed.pop, keyed.update], [1, 2, 3, 4, 5])
        self.assertEqual(list(dict.keys(keyed)), ["keys", "values", "copy", "pop", "update"])

    def test_what_is_sent_is_plain_and_the_next_stage_gets_its_own_records(self):
        output = to_json(from_json({"a": {"b": [{"c": 1}]}}))
        self.assertIs(type(output), dict)  # the JSON encoder reads plain dicts without calling Python
        self.assertIs(type(output["a"]), dict)
        following = copy_json(output)
        self.assertIs(type(following["a"]["b"][0]), Record)
        self.assertEqual(following.a.b[0].c, 1)
        following.a.b[0].c = 2  # the next stage changes its input in place...
        self.assertEqual(output, {"a": {"b": [{"c": 1}]}})  # ...and the output kept is what was returned
        self.assertIs(from_json(following), following)  # a Record is handed on, not copied again


if __name__ == "__main__":
    unittest.main()
