//! Days, months and ranges in Beijing time, as figures count them: a range is its first and
//! last day, both included, and a moment belongs to the Beijing day (and month) it falls in.

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, Offset, TimeZone, Utc};

use crate::error::{AppError, AppResult};

/// Beijing time (UTC+8, no daylight saving).
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The first moment of a Beijing day, in UTC.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    beijing().from_local_datetime(&local).single().map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// The Beijing month of a moment, `YYYY-MM`.
pub fn month_of(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing()).format("%Y-%m").to_string()
}

/// The Beijing day of a moment.
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// Parses a day `YYYY-MM-DD`; `field` names the parameter in the refusal.
pub fn parse_day(field: &str, value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| AppError::bad_input(field, "expected a day, YYYY-MM-DD"))
}

/// Parses a month `YYYY-MM` into its first day.
pub fn parse_month(field: &str, value: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", value.trim()), "%Y-%m-%d")
        .map_err(|_| AppError::bad_input(field, "expected a month, YYYY-MM"))
}

/// A range of days, Beijing time: both ends included, either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// A range; one that begins after it ends is `BAD_USER_INPUT`.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<Period> {
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::bad_input("from", "the range begins after it ends"));
        }
        Ok(Period { from, to })
    }

    /// The Beijing month that begins on `first` (its first day, as [`parse_month`] gives).
    pub fn month(first: NaiveDate) -> Period {
        let first = first.with_day(1).unwrap_or(first);
        let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
        Period { from: Some(first), to: Some(last) }
    }

    /// The first moment of the range, in UTC.
    pub fn start(&self) -> Option<DateTime<Utc>> {
        self.from.map(start_of)
    }

    /// The first moment after the range, in UTC.
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.to.and_then(|t| t.succ_opt()).map(start_of)
    }

    /// Whether a moment falls in the range.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start().is_none_or(|s| t >= s) && self.end().is_none_or(|e| t < e)
    }

    /// Whether an optional moment is set and falls in the range.
    pub fn holds(&self, t: Option<DateTime<Utc>>) -> bool {
        t.is_some_and(|t| self.contains(t))
    }
}

/// The `n` Beijing months ending with the one that begins on `last` (first days, oldest first).
pub fn months_ending(last: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let last = last.with_day(1).unwrap_or(last);
    (0..n).rev().filter_map(|back| last.checked_sub_months(Months::new(back))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn days_and_months_are_beijing_time() {
        assert_eq!(start_of(day(2026, 11, 1)).to_rfc3339(), "2026-10-31T16:00:00+00:00");
        let late = Utc.with_ymd_and_hms(2026, 10, 31, 16, 30, 0).single().unwrap_or_default();
        assert_eq!(month_of(late), "2026-11", "half past midnight in Beijing is November");
        assert_eq!(day_of(late), day(2026, 11, 1));
    }

    #[test]
    fn a_range_holds_its_first_day_and_its_last_day_whole() {
        let p = Period::month(day(2026, 2, 1));
        assert_eq!(p.to, Some(day(2026, 2, 28)));
        assert!(p.contains(start_of(day(2026, 2, 1))));
        assert!(!p.contains(start_of(day(2026, 3, 1))), "the end is the next day's first moment, excluded");
        assert!(p.contains(start_of(day(2026, 3, 1)) - chrono::Duration::seconds(1)));
        assert!(Period::new(Some(day(2026, 2, 2)), Some(day(2026, 2, 1))).is_err());
        assert!(Period::default().contains(Utc::now()));
        assert_eq!(months_ending(day(2026, 11, 15), 3), vec![day(2026, 9, 1), day(2026, 10, 1), day(2026, 11, 1)]);
        assert_eq!(parse_month("month", "2026-11").ok(), Some(day(2026, 11, 1)));
    }
}
