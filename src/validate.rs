//! Input checks shared by the services: they turn raw input into clean values or a
//! `BAD_USER_INPUT` naming the field.

use crate::error::{AppError, AppResult};

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
        Some(v) if v != current => Err(AppError::Conflict(format!("{what} was changed by someone else (version {current}, expected {v})"))),
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
