//! The calendar scalars as clients read them. `DateTime` is async-graphql's own (an RFC 3339
//! instant, always in UTC on output) with a description written for client developers;
//! `Date` is a calendar day, named for what it is rather than for the Rust type behind it.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// What `DateTime` means to a client; set on the schema (see `graphql::schema`).
pub const DATE_TIME_DESCRIPTION: &str = "An instant, as an RFC 3339 string with its offset, e.g. \
`2026-12-07T09:30:00+00:00`. Answers are in UTC (`+00:00`); inputs may carry any offset, e.g. \
`2026-12-07T17:30:00+08:00` or `2026-12-07T09:30:00Z` for the same instant.";

/// A calendar day, e.g. `2026-12-07` (ISO 8601 `YYYY-MM-DD`), in China Standard Time where a day
/// is compared with an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar day, e.g. `2026-12-07` (ISO 8601 `YYYY-MM-DD`, nothing else accepted).
#[Scalar(name = "Date", specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => Ok(Date(NaiveDate::parse_from_str(s, "%Y-%m-%d")?)),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_and_write_as_iso_days_only() {
        let day = Date::parse(Value::String("2026-12-07".into())).ok();
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 12, 7).map(Date));
        assert_eq!(day.map(|d| d.to_value()), Some(Value::String("2026-12-07".into())));
        for refused in ["2026-12-7x", "07/12/2026", "2026-13-01", ""] {
            assert!(Date::parse(Value::String(refused.into())).is_err(), "{refused}");
        }
        assert!(Date::parse(Value::Number(20261207.into())).is_err());
    }
}
