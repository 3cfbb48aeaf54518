//! Reading url-encoded forms without leaving copies of what was typed
//! (issue 18, item 6: a passphrase typed into a form was found three times
//! in the server's memory afterwards).
//!
//! The body is collected into one buffer sized for the whole limit (so it
//! never moves), each field is decoded once into a buffer of its own, and
//! the form type is filled straight from those: every buffer here is a
//! `Zeroizing` one, wiped when dropped. The form types hold passphrases in
//! `Zeroizing<String>` too, so after a request no copy made by this module
//! or the form is left in freed memory. (hyper's own read buffer is outside
//! our reach; CRYPTO.md lists it.)
//!
//! The deserializer behaves as `serde_urlencoded`'s did: every value is a
//! string, numbers and booleans are parsed from it, an absent field is
//! `None`, and enums take a variant's name.

use std::pin::Pin;

use axum::body::{Body, Bytes, HttpBody};
use serde::de::value::{Error, MapDeserializer};
use serde::de::{self, DeserializeOwned, Error as _, IntoDeserializer, Visitor};
use zeroize::{Zeroize, Zeroizing};

/// One field: its name and its value, both decoded, both wiped on drop.
pub type Field = (Zeroizing<String>, Zeroizing<String>);

#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Unreadable,
}

/// Overwrites a chunk of the body once it was copied, when this is its
/// only handle (the usual case).
fn wipe(chunk: Bytes) {
    if let Ok(mut chunk) = chunk.try_into_mut() {
        chunk.as_mut().zeroize();
    }
}

/// The whole body, at most `limit` bytes, in one buffer that is wiped
/// when dropped.
pub async fn read_body(mut body: Body, limit: usize) -> Result<Zeroizing<Vec<u8>>, BodyError> {
    let mut out = Zeroizing::new(Vec::with_capacity(limit));
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(chunk) = frame.map_err(|_| BodyError::Unreadable)?.into_data() else {
            continue;
        };
        if out.len() + chunk.len() > limit {
            wipe(chunk);
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk);
        wipe(chunk);
    }
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `+` is a space and `%XX` a byte, decoded in one pass into a buffer that
/// is big enough from the start; invalid UTF-8 becomes U+FFFD (as browsers
/// and `serde_urlencoded` do).
fn decode(part: &[u8]) -> Zeroizing<String> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(part.len()));
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => bytes.push(b' '),
            b'%' => match (
                part.get(i + 1).and_then(|&b| hex(b)),
                part.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => {
                    bytes.push(hi << 4 | lo);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let mut out = Zeroizing::new(String::with_capacity(text.len()));
            out.push_str(text);
            out
        }
        Err(_) => {
            let lossy = String::from_utf8_lossy(&bytes);
            let mut out = Zeroizing::new(String::with_capacity(lossy.len()));
            out.push_str(&lossy);
            out
        }
    }
}

/// The fields of a url-encoded body, in order. Empty pieces (`a=1&&b=2`)
/// are skipped and a piece without `=` is a field with an empty value, as
/// in `serde_urlencoded`.
pub fn parse(body: &[u8]) -> Vec<Field> {
    body.split(|&b| b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (decode(&piece[..eq]), decode(&piece[eq + 1..])),
            None => (decode(piece), Zeroizing::new(String::new())),
        })
        .collect()
}

/// Fills a form type from the fields.
pub fn deserialize<T: DeserializeOwned>(fields: &[Field]) -> Result<T, Error> {
    T::deserialize(Fields(fields))
}

/// Reads a body and fills `T` from it, for tests and callers without a
/// token to check.
pub fn from_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    deserialize(&parse(body))
}

struct Fields<'a>(&'a [Field]);

impl<'a> Fields<'a> {
    fn pairs(self) -> MapDeserializer<'a, impl Iterator<Item = (Part<'a>, Part<'a>)>, Error> {
        MapDeserializer::new(
            self.0
                .iter()
                .map(|(k, v)| (Part(k.as_str()), Part(v.as_str()))),
        )
    }
}

impl<'de> de::Deserializer<'de> for Fields<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut map = self.pairs();
        let value = visitor.visit_map(&mut map)?;
        map.end()?;
        Ok(value)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut seq = self.pairs();
        let value = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(value)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.pairs().end()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit_struct newtype_struct tuple_struct struct
        identifier tuple enum ignored_any
    }
}

/// One name or value: a string, parsed when the form type wants a number.
struct Part<'a>(&'a str);

impl<'de> IntoDeserializer<'de, Error> for Part<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parsed {
    ($($method:ident => $visit:ident,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.parse() {
                    Ok(value) => visitor.$visit(value),
                    Err(e) => Err(Error::custom(e)),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Part<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(de::value::BorrowedStrDeserializer::<Error>::new(self.0))
    }

    parsed! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple_struct
        struct identifier tuple ignored_any seq map
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Plan,
        Problem,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        passphrase: Zeroizing<String>,
        #[serde(default)]
        confirm: Option<String>,
        minutes: u32,
        ratio: f64,
        sure: Option<bool>,
        kind: Kind,
        #[serde(default)]
        note: String,
    }

    const BODIES: &[&str] = &[
        "passphrase=a+kind%2C+quiet+evening%21&minutes=15&ratio=0.5&sure=true&kind=plan",
        "passphrase=caf%C3%A9%20%26%3D%2B&confirm=&minutes=0&ratio=-1e3&kind=problem&note=a%0D%0Ab",
        "kind=plan&&minutes=7&ratio=1&passphrase=%ZZ%4&note=100%",
        "passphrase=%FF%FEx&minutes=1&ratio=2&kind=plan",
    ];

    #[test]
    fn reads_forms_exactly_as_serde_urlencoded_did() {
        for body in BODIES {
            let ours: Sample = from_bytes(body.as_bytes()).unwrap();
            let theirs: Sample = serde_urlencoded::from_bytes(body.as_bytes()).unwrap();
            assert_eq!(ours, theirs, "{body}");
        }
        let pairs: Vec<(String, String)> = from_bytes(BODIES[1].as_bytes()).unwrap();
        let theirs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(BODIES[1].as_bytes()).unwrap();
        assert_eq!(pairs, theirs);
        assert_eq!(pairs[0].1, "café &=+");
    }

    #[test]
    fn refuses_what_serde_urlencoded_refused() {
        for body in [
            "passphrase=x&minutes=seven&ratio=1&kind=plan",
            "passphrase=x&minutes=1&ratio=1&kind=neither",
            "passphrase=x&minutes=1&ratio=1&kind=plan&unknown=1",
            "passphrase=x&passphrase=y&minutes=1&ratio=1&kind=plan",
            "minutes=1&ratio=1&kind=plan",
        ] {
            assert!(from_bytes::<Sample>(body.as_bytes()).is_err(), "{body}");
            assert!(
                serde_urlencoded::from_bytes::<Sample>(body.as_bytes()).is_err(),
                "{body}"
            );
        }
    }

    #[tokio::test]
    async fn the_body_limit_holds() {
        let body = Body::from(vec![b'a'; 100]);
        assert_eq!(read_body(body, 99).await.unwrap_err(), BodyError::TooLarge);
        let body = Body::from(vec![b'a'; 100]);
        assert_eq!(read_body(body, 100).await.unwrap().len(), 100);
    }
}
