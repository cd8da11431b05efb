//! Request values as Django REST framework reads them, for every write body in one place.
//!
//! [`from_value`] deserialises any typed write struct from a parsed body through a deserializer that coerces
//! on the way, so the structs keep plain `i64`, `bool` and `f64` fields. It follows DRF's fields:
//! - integers and primary keys (`IntegerField`, `PrimaryKeyRelatedField`) take `1`, `"1"`, `1.0` and `"1.0"`
//!   (DRF strips a trailing `.0`), never `true` or `1.5`: "A valid integer is required.";
//! - booleans (`BooleanField`) take `true`, `1`, `1.0` and the strings of its `TRUE_VALUES`/`FALSE_VALUES`
//!   (`"true"`, `"True"`, `"1"`, `"yes"`, `"on"`, `"t"`, `"y"`, …), here in any case as §1.3 asks:
//!   "Must be a valid boolean.";
//! - numbers (`FloatField`) take `1.5` and `"1.5"`: "A valid number is required.";
//! - strings must be strings: "Not a valid string." (stricter than DRF's `CharField`, which turns `5` into
//!   `"5"`; no client sends numbers for text, and a name of `5` is more likely a mistake);
//! - a nested object (a nested serializer) must be an object: "Invalid data. Expected a dictionary, but got
//!   list." (DRF's words), never read positionally from a list as serde would.
//!
//! A form or multipart body ([`Input::Form`]) has only strings: there an empty value of an optional field is
//! absent or null (DRF's `allow_null`/`required=False` handling of HTML input), and a single value for a list
//! field is a list of one (DRF's `getlist`).

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

/// Where a body came from: JSON keeps its types, forms send text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Json,
    Form,
}

/// Reads `T` from a request body's value with DRF's coercions.
pub fn from_value<T: DeserializeOwned>(value: Value, input: Input) -> Result<T, serde_json::Error> {
    T::deserialize(Deserializer::new(value, input))
}

/// A boolean as DRF's `BooleanField` reads text (`TRUE_VALUES`, `FALSE_VALUES`), ignoring case.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
        _ => None,
    }
}

pub const INVALID_INTEGER: &str = "A valid integer is required.";
pub const INVALID_NUMBER: &str = "A valid number is required.";
pub const INVALID_BOOLEAN: &str = "Must be a valid boolean.";
pub const INVALID_STRING: &str = "Not a valid string.";

/// Whether a deserialisation message is one of DRF's own (as this module writes them).
pub fn is_drf_message(message: &str) -> bool {
    [INVALID_INTEGER, INVALID_NUMBER, INVALID_BOOLEAN, INVALID_STRING, "Expected a list of items", "Invalid data."]
        .iter()
        .any(|m| message.starts_with(m))
}

/// DRF's name of a value's type in its messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// An integer as DRF's `IntegerField` reads it: `int(re.sub(r"\.0*\s*$", "", str(data)))`.
fn integer(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or(n.as_u64().map(i128::from))
            .or(n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i128)),
        Value::String(s) => {
            let s = s.trim();
            let s = match s.split_once('.') {
                Some((int, zeros)) if zeros.bytes().all(|b| b == b'0') => int,
                _ => s,
            };
            s.parse().ok()
        }
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        // Python's `1.0 in {1}` holds, so DRF takes 1.0 and 0.0 too.
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// The coercing deserializer over one value of a body.
pub struct Deserializer {
    value: Value,
    input: Input,
}

impl Deserializer {
    pub fn new(value: Value, input: Input) -> Deserializer {
        Deserializer { value, input }
    }

    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match integer(&self.value) {
            Some(i) if i < 0 => visitor.visit_i64(i64::try_from(i).map_err(|_| de::Error::custom(INVALID_INTEGER))?),
            Some(i) => visitor.visit_u64(u64::try_from(i).map_err(|_| de::Error::custom(INVALID_INTEGER))?),
            None => Err(de::Error::custom(INVALID_INTEGER)),
        }
    }

    fn map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, serde_json::Error> {
        match self.value {
            Value::Object(map) => {
                visitor.visit_map(MapAccess { entries: map.into_iter(), value: None, input: self.input })
            }
            other => {
                Err(de::Error::custom(format!("Invalid data. Expected a dictionary, but got {}.", type_name(&other))))
            }
        }
    }
}

/// Methods that deserialize an integer type through `Deserializer::integer`.
macro_rules! integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.integer(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Object(_) => self.map(visitor),
            Value::Array(_) => self.deserialize_seq(visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_bool(boolean(&self.value).ok_or_else(|| de::Error::custom(INVALID_BOOLEAN))?)
    }

    integers! { deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 }
    integers! { deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_f64(number(&self.value).ok_or_else(|| de::Error::custom(INVALID_NUMBER))?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::String(s) => visitor.visit_string(s),
            _ => Err(de::Error::custom(INVALID_STRING)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match &self.value {
            Value::Null => visitor.visit_none(),
            Value::String(s) if self.input == Input::Form && s.is_empty() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.value {
            Value::Array(items) => visitor.visit_seq(SeqAccess { items: items.into_iter(), input: self.input }),
            one if self.input == Input::Form => {
                visitor.visit_seq(SeqAccess { items: vec![one].into_iter(), input: self.input })
            }
            other => {
                Err(de::Error::custom(format!("Expected a list of items but got type \"{}\".", type_name(&other))))
            }
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.map(visitor)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.value.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { char bytes byte_buf unit unit_struct identifier i128 u128 }
}

struct MapAccess {
    entries: serde_json::map::IntoIter,
    value: Option<Value>,
    input: Input,
}

impl<'de> de::MapAccess<'de> for MapAccess {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.value.take().ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(Deserializer { value, input: self.input })
    }
}

struct SeqAccess {
    items: std::vec::IntoIter<Value>,
    input: Input,
}

impl<'de> de::SeqAccess<'de> for SeqAccess {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        match self.items.next() {
            Some(value) => seed.deserialize(Deserializer { value, input: self.input }).map(Some),
            None => Ok(None),
        }
    }
}

/// The fields of a form or multipart body as one object, read as DRF's HTML input: a repeated key is a list
/// (`ids=1&ids=2`); `span[0]x0=1` or `span[0][x0]=1` is a list of objects and `ids[0]=1` a list of values
/// (`parse_html_list`); `selection_bbox.x0=1` is a nested object (`parse_html_dict`).
pub fn form_value(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut out = Map::new();
    for (key, text) in pairs {
        let text = Value::String(text);
        if let Some((name, rest)) = key.split_once('[') {
            let Some((index, sub)) = rest.split_once(']') else {
                push(&mut out, key, text);
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                push(&mut out, key, text);
                continue;
            };
            let list = out.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(items) = list else { continue };
            if items.len() <= index {
                items.resize(index + 1, Value::Null);
            }
            let sub = sub.trim_start_matches('.').trim_start_matches('[').trim_end_matches(']');
            if sub.is_empty() {
                items[index] = text;
            } else {
                if !items[index].is_object() {
                    items[index] = Value::Object(Map::new());
                }
                if let Value::Object(item) = &mut items[index] {
                    item.insert(sub.to_owned(), text);
                }
            }
        } else if let Some((name, sub)) = key.split_once('.') {
            let object = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(object) = object {
                object.insert(sub.to_owned(), text);
            }
        } else {
            push(&mut out, key, text);
        }
    }
    // Indices sent with gaps leave no holes.
    for value in out.values_mut() {
        if let Value::Array(items) = value {
            items.retain(|v| !v.is_null());
        }
    }
    Value::Object(out)
}

/// Adds a value under a key; a key seen again becomes a list of its values.
fn push(out: &mut Map<String, Value>, key: String, text: Value) {
    match out.get_mut(&key) {
        Some(Value::Array(items)) => items.push(text),
        Some(first) => *first = Value::Array(vec![first.take(), text]),
        None => {
            out.insert(key, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize, PartialEq, Default)]
    #[serde(default)]
    struct W {
        id: Option<i64>,
        page: Option<u32>,
        flag: Option<bool>,
        x: Option<f64>,
        name: Option<String>,
        ids: Option<Vec<i64>>,
        #[serde(with = "crate::nullable")]
        category: Option<Option<i64>>,
        nested: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Inner {
        a: i64,
        b: bool,
    }

    fn json(v: Value) -> Result<W, String> {
        from_value(v, Input::Json).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_numbers_and_booleans_take_drf_forms() {
        for id in [json!(1), json!("1"), json!(" 1 "), json!(1.0), json!("1.0")] {
            assert_eq!(json(json!({ "id": id })).unwrap().id, Some(1), "{id}");
        }
        for bad in [json!("abc"), json!(1.5), json!(true), json!(""), json!([1])] {
            assert_eq!(json(json!({ "id": bad })).unwrap_err(), INVALID_INTEGER, "{bad}");
        }
        assert!(json(json!({"page": -1})).is_err());
        for (v, b) in [(json!(true), true), (json!("True"), true), (json!("on"), true), (json!(1), true)] {
            assert_eq!(json(json!({ "flag": v })).unwrap().flag, Some(b));
        }
        for (v, b) in [(json!("false"), false), (json!("No"), false), (json!(0), false), (json!("0"), false)] {
            assert_eq!(json(json!({ "flag": v })).unwrap().flag, Some(b));
        }
        for bad in [json!("maybe"), json!(2), json!("")] {
            assert_eq!(json(json!({ "flag": bad })).unwrap_err(), INVALID_BOOLEAN);
        }
        assert_eq!(json(json!({"x": "1.5"})).unwrap().x, Some(1.5));
        assert_eq!(json(json!({"x": "nan"})).unwrap_err(), INVALID_NUMBER);
        assert_eq!(json(json!({"name": 12})).unwrap_err(), INVALID_STRING);
        assert_eq!(json(json!({"name": false})).unwrap_err(), INVALID_STRING);
        assert_eq!(json(json!({"ids": ["1", 2]})).unwrap().ids, Some(vec![1, 2]));
        assert_eq!(json(json!({"ids": 1})).unwrap_err(), "Expected a list of items but got type \"int\".");
        assert_eq!(json(json!({"category": null})).unwrap().category, Some(None));
        assert_eq!(json(json!({"category": "3"})).unwrap().category, Some(Some(3)));
        assert_eq!(json(json!({"nested": {"a": "2", "b": "True"}})).unwrap().nested, Some(Inner { a: 2, b: true }));
        assert_eq!(
            json(json!({"nested": [2, true]})).unwrap_err(),
            "Invalid data. Expected a dictionary, but got list."
        );
    }

    #[test]
    fn forms_are_text_with_drf_html_conventions() {
        let pairs = [
            ("id", "7"),
            ("flag", "True"),
            ("ids", "1"),
            ("ids", "2"),
            ("category", ""),
            ("name", ""),
            ("nested.a", "3"),
            ("nested.b", "off"),
        ];
        let value = form_value(pairs.map(|(k, v)| (k.to_owned(), v.to_owned())));
        let w: W = from_value(value, Input::Form).unwrap();
        let expected = W {
            id: Some(7),
            flag: Some(true),
            ids: Some(vec![1, 2]),
            category: Some(None),
            nested: Some(Inner { a: 3, b: false }),
            ..W::default()
        };
        assert_eq!(w, expected);
        let one: W = from_value(form_value([("ids".to_owned(), "5".to_owned())]), Input::Form).unwrap();
        assert_eq!(one.ids, Some(vec![5]));
        let listed = form_value(
            [("span[0]x0", "1"), ("span[0][page_index]", "0"), ("span[1].x0", "2"), ("ids[0]", "4")]
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        assert_eq!(listed, json!({"span": [{"x0": "1", "page_index": "0"}, {"x0": "2"}], "ids": ["4"]}));
    }
}
