//! Input checks shared by the services: they turn raw input into clean values or a
//! `BAD_USER_INPUT` naming the field.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{AppError, AppResult};

/// The first and last day a date or time of any input may fall on. Wide enough for the oldest
/// party member's joining date and the longest plan; narrow enough to refuse year 1, 0000 or
/// 9999, which are typing mistakes or probes, and which not every database or client handles.
pub const EARLIEST_DATE: (i32, u32, u32) = (1900, 1, 1);
pub const LATEST_DATE: (i32, u32, u32) = (2100, 12, 31);

/// A date within [`EARLIEST_DATE`] and [`LATEST_DATE`]; otherwise `BAD_USER_INPUT` naming the field.
pub fn check_date(field: &str, date: NaiveDate) -> AppResult<NaiveDate> {
    let bound = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    let (earliest, latest) = (bound(EARLIEST_DATE), bound(LATEST_DATE));
    if date < earliest || date > latest {
        return Err(AppError::bad_input(field, format!("`{field}` must be between {earliest} and {latest}")));
    }
    Ok(date)
}

/// An optional date, checked as [`check_date`].
pub fn check_optional_date(field: &str, date: Option<NaiveDate>) -> AppResult<Option<NaiveDate>> {
    date.map(|d| check_date(field, d)).transpose()
}

/// A time whose day (in UTC) is within the window of [`check_date`].
pub fn check_time(field: &str, time: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    check_date(field, time.date_naive())?;
    Ok(time)
}

/// An optional time, checked as [`check_time`].
pub fn check_optional_time(field: &str, time: Option<DateTime<Utc>>) -> AppResult<Option<DateTime<Utc>>> {
    time.map(|t| check_time(field, t)).transpose()
}

/// A trimmed, non-empty name of at most `max` characters.
pub fn clean_name(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_input(field, format!("`{field}` must not be empty")));
    }
    if v.chars().count() > max {
        return Err(AppError::bad_input(field, format!("`{field}` must be at most {max} characters")));
    }
    Ok(v.to_owned())
}

pub fn clean_optional(field: &str, value: Option<String>, max: usize) -> AppResult<Option<String>> {
    value.map(|v| clean_name(field, &v, max)).transpose()
}

/// A phone number: digits with an optional leading `+`, spaces and dashes, 5 to 20 digits.
pub fn clean_phone(value: Option<String>) -> AppResult<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim().to_owned();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (c == '+' && i == 0));
    if !allowed || !(5..=20).contains(&digits) {
        return Err(AppError::bad_input("phone", "`phone` must be 5 to 20 digits"));
    }
    Ok(Some(v))
}

pub fn check_version(field_version: Option<i32>, current: i32, what: &str) -> AppResult<()> {
    match field_version {
        Some(v) if v != current => Err(AppError::Stale(format!("{what} was changed by someone else (version {current}, expected {v})"))),
        _ => Ok(()),
    }
}

/// Free text that may be empty: trimmed, at most `max` characters.
pub fn clean_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(AppError::bad_input(field, format!("`{field}` must be at most {max} characters")));
    }
    Ok(v.to_owned())
}

/// A list of strings as stored in a JSON text column.
pub fn to_json_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())
}

/// A JSON text column read back as a list of strings (empty when unreadable).
pub fn from_json_list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Evidence: at most 20 `http(s)` URLs of at most 500 characters each.
pub fn clean_evidence(urls: Vec<String>) -> AppResult<Vec<String>> {
    if urls.len() > 20 {
        return Err(AppError::bad_input("evidence", "at most 20 evidence URLs"));
    }
    urls.into_iter()
        .map(|u| {
            let u = u.trim().to_owned();
            let ok = (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 500 && !u.chars().any(char::is_whitespace);
            if ok { Ok(u) } else { Err(AppError::bad_input("evidence", format!("not an http(s) URL: {u}"))) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{check_date, check_time};

    #[test]
    fn dates_and_times_stay_within_a_sane_window() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        assert!(check_date("startsOn", day(0, 1, 1)).is_err());
        assert!(check_date("startsOn", day(1899, 12, 31)).is_err());
        assert!(check_date("startsOn", day(1900, 1, 1)).is_ok());
        assert!(check_date("startsOn", day(2100, 12, 31)).is_ok());
        assert!(check_date("startsOn", day(2101, 1, 1)).is_err());
        let at = |y| Utc.with_ymd_and_hms(y, 6, 1, 0, 0, 0).single().unwrap_or_default();
        assert!(check_time("dueAt", at(1)).is_err());
        assert!(check_time("dueAt", at(9999)).is_err());
        assert!(check_time("dueAt", at(2030)).is_ok());
        let err = check_date("startsOn", day(0, 1, 1)).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "`startsOn` must be between 1900-01-01 and 2100-12-31");
    }
}
