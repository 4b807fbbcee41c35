//! The temporal functions: `date`, `localtime`, `time`, `localdatetime`,
//! `datetime` (from a string, a map, another temporal, or the clock, and
//! their `.truncate`), `datetime.fromepoch[millis]`, `duration` and
//! `duration.between/inMonths/inDays/inSeconds`, plus temporal arithmetic.
//!
//! A map names the parts to set; a temporal in it (`{date: d, time: t}`)
//! gives the parts not named. The date takes one of four forms, chosen by
//! the keys: calendar (`year, month, day`), week (`year, week,
//! dayOfWeek`, the year then being the week-year), ordinal (`year,
//! ordinalDay`) or quarter (`year, quarter, dayOfQuarter`).

use std::collections::BTreeMap;

use jiff::civil::{Date, ISOWeekDate, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp, Unit, Zoned};

use super::value::{Arith, ArithError};
use super::Ctx;
use crate::error::{ErrorClass, QueryError, Span as SourceSpan};
use crate::model::temporal::{self as model, nanos_of_day, time_of_nanos, Num, Zone, ZonedDateTime};
use crate::model::{Duration, Temporal, Value};
use crate::query::plan::logical::Function;

/// The five kinds of instant a constructor makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_time(self) -> bool {
        self != Kind::Date
    }
}

/// What a temporal function does.
enum Call {
    /// `date(x)`: from a string, map or temporal; from the clock without one.
    Build(Kind),
    /// `date.transaction()`, `.statement()`: the clock when the query began.
    Now(Kind),
    /// `date.realtime()`: the clock as the call runs.
    Realtime(Kind),
    Truncate(Kind),
    FromEpoch,
    FromEpochMillis,
    Duration,
    Between(Option<Unit>),
}

fn call_of(f: Function) -> Option<Call> {
    use Function as F;
    use Kind::*;
    Some(match f {
        F::Date => Call::Build(Date),
        F::DateTransaction | F::DateStatement => Call::Now(Date),
        F::DateRealtime => Call::Realtime(Date),
        F::DateTruncate => Call::Truncate(Date),
        F::LocalTime => Call::Build(LocalTime),
        F::LocalTimeTransaction | F::LocalTimeStatement => Call::Now(LocalTime),
        F::LocalTimeRealtime => Call::Realtime(LocalTime),
        F::LocalTimeTruncate => Call::Truncate(LocalTime),
        F::Time => Call::Build(Time),
        F::TimeTransaction | F::TimeStatement => Call::Now(Time),
        F::TimeRealtime => Call::Realtime(Time),
        F::TimeTruncate => Call::Truncate(Time),
        F::LocalDateTime => Call::Build(LocalDateTime),
        F::LocalDateTimeTransaction | F::LocalDateTimeStatement => Call::Now(LocalDateTime),
        F::LocalDateTimeRealtime => Call::Realtime(LocalDateTime),
        F::LocalDateTimeTruncate => Call::Truncate(LocalDateTime),
        F::DateTime => Call::Build(DateTime),
        F::DateTimeTransaction | F::DateTimeStatement => Call::Now(DateTime),
        F::DateTimeRealtime => Call::Realtime(DateTime),
        F::DateTimeTruncate => Call::Truncate(DateTime),
        F::DateTimeFromEpoch => Call::FromEpoch,
        F::DateTimeFromEpochMillis => Call::FromEpochMillis,
        F::Duration => Call::Duration,
        F::DurationBetween => Call::Between(None),
        F::DurationInMonths => Call::Between(Some(Unit::Month)),
        F::DurationInDays => Call::Between(Some(Unit::Day)),
        F::DurationInSeconds => Call::Between(Some(Unit::Second)),
        _ => return None,
    })
}

/// `true` for the functions this module answers.
pub(crate) fn is_temporal(f: Function) -> bool {
    call_of(f).is_some()
}

fn invalid(f: Function, message: impl std::fmt::Display, span: SourceSpan) -> QueryError {
    QueryError::runtime(
        ErrorClass::ArgumentError,
        "InvalidArgumentValue",
        format!("{}(): {message}", f.name()),
        Some(span),
    )
}

/// Calls a temporal function; a null argument gives null.
pub(crate) fn call(
    f: Function,
    args: &[&Value],
    cx: &Ctx<'_>,
    span: SourceSpan,
) -> Result<Value, QueryError> {
    let Some(call) = call_of(f) else { return Err(invalid(f, "not a temporal function", span)) };
    if args.iter().any(|a| a.is_null()) {
        return Ok(Value::Null);
    }
    let result = match call {
        Call::Build(kind) => match args.first() {
            None => now(kind, cx.now(), None),
            // `date({timezone: 'Europe/Stockholm'})`: today there.
            Some(arg @ Value::Map(m)) if m.len() == 1 && lookup(m, "timezone").is_some() => {
                now(kind, cx.now(), Some(arg))
            }
            Some(arg) => build(kind, arg),
        },
        Call::Now(kind) => now(kind, cx.now(), args.first().copied()),
        Call::Realtime(kind) => now(kind, Timestamp::now(), args.first().copied()),
        Call::Truncate(kind) => truncate(kind, args),
        Call::FromEpoch | Call::FromEpochMillis => from_epoch(matches!(call, Call::FromEpochMillis), args),
        Call::Duration => duration(args.first().copied().unwrap_or(&Value::Null)),
        Call::Between(unit) => between(args, unit),
    };
    result.map(Value::from).map_err(|m| invalid(f, m, span))
}

fn temporal_arg<'v>(v: &'v Value, what: &str) -> Result<&'v Temporal, String> {
    v.as_temporal().ok_or_else(|| format!("{what} must be a temporal value, found {}", v.type_name()))
}

fn int_of(v: &Value, key: &str) -> Result<i64, String> {
    v.as_int().ok_or_else(|| format!("'{key}' must be an integer, found {}", v.type_name()))
}

/// The clock's reading as a `kind`, in UTC or the zone the argument names.
fn now(kind: Kind, at: Timestamp, arg: Option<&Value>) -> Result<Temporal, String> {
    let zone = match arg {
        None => Zone::Offset(Offset::UTC),
        Some(Value::String(s)) => Zone::parse(s)?,
        Some(Value::Map(m)) => match lookup(m, "timezone") {
            Some(Value::String(s)) => Zone::parse(s)?,
            _ => Zone::Offset(Offset::UTC),
        },
        Some(other) => return Err(format!("expected a time zone, found {}", other.type_name())),
    };
    let z = ZonedDateTime::from_instant(at, &zone);
    Ok(of_parts(kind, z.local().date(), z.local().time(), z))
}

/// The parts of a date-time as a value of `kind`.
fn of_parts(kind: Kind, date: Date, time: Time, z: ZonedDateTime) -> Temporal {
    match kind {
        Kind::Date => Temporal::Date(date),
        Kind::LocalTime => Temporal::LocalTime(time),
        Kind::Time => Temporal::Time(time, z.offset()),
        Kind::LocalDateTime => Temporal::LocalDateTime(date.to_datetime(time)),
        Kind::DateTime => Temporal::DateTime(z),
    }
}

fn build(kind: Kind, arg: &Value) -> Result<Temporal, String> {
    match arg {
        Value::String(s) => parse(kind, s),
        Value::Map(m) => from_map(kind, m, None),
        Value::Temporal(t) => {
            let key = match kind {
                Kind::Date => "date",
                Kind::LocalTime | Kind::Time => "time",
                Kind::LocalDateTime | Kind::DateTime => "datetime",
            };
            let mut m = BTreeMap::new();
            m.insert(key.to_string(), Value::Temporal(t.clone()));
            from_map(kind, &m, None)
        }
        other => Err(format!("expected a string or a map, found {}", other.type_name())),
    }
}

fn parse(kind: Kind, s: &str) -> Result<Temporal, String> {
    Ok(match kind {
        Kind::Date => Temporal::Date(model::parse_date(s)?),
        Kind::LocalTime => Temporal::LocalTime(model::parse_local_time(s)?),
        Kind::Time => {
            let (t, o) = model::parse_time(s)?;
            Temporal::Time(t, o)
        }
        Kind::LocalDateTime => Temporal::LocalDateTime(model::parse_local_datetime(s)?),
        Kind::DateTime => Temporal::DateTime(model::parse_datetime(s)?),
    })
}

/// A map entry, ignoring the case of the key; null counts as absent.
fn lookup<'m>(m: &'m BTreeMap<String, Value>, key: &str) -> Option<&'m Value> {
    m.iter().find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_null()).map(|(_, v)| v)
}

fn field(m: &BTreeMap<String, Value>, key: &str) -> Result<Option<i64>, String> {
    lookup(m, key).map(|v| int_of(v, key)).transpose()
}

const KNOWN_KEYS: [&str; 20] = [
    "date",
    "time",
    "datetime",
    "timezone",
    "year",
    "month",
    "day",
    "week",
    "dayofweek",
    "ordinalday",
    "quarter",
    "dayofquarter",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
    "weekyear",
    "epochseconds",
];

/// A value of `kind` from a map of parts. `zone` (from `truncate`) is the
/// zone the parts are read in when the map names none.
fn from_map(kind: Kind, m: &BTreeMap<String, Value>, zone: Option<Zone>) -> Result<Temporal, String> {
    if let Some(k) = m.keys().find(|k| !KNOWN_KEYS.iter().any(|n| k.eq_ignore_ascii_case(n))) {
        return Err(format!("unknown key '{k}'"));
    }
    if let Some(v) = lookup(m, "epochseconds") {
        let seconds = int_of(v, "epochSeconds")?;
        let nanos = field(m, "nanosecond")?.unwrap_or(0);
        let ts = Timestamp::new(seconds, i32::try_from(nanos).map_err(|_| "nanosecond out of range")?)
            .map_err(|e| e.to_string())?;
        let z = ZonedDateTime::from_instant(ts, &Zone::Offset(Offset::UTC));
        return Ok(of_parts(kind, z.local().date(), z.local().time(), z));
    }
    let source = |key: &str| lookup(m, key).map(|v| temporal_arg(v, key)).transpose();
    let whole = source("datetime")?;
    let date_source = source("date")?.or(whole);
    let time_source = source("time")?.or(whole);
    let date =
        if kind.has_date() { Some(select_date(date_source.and_then(Temporal::date), m)?) } else { None };
    let time = if kind.has_time() {
        select_time(time_source.and_then(Temporal::time), m)?
    } else {
        Time::midnight()
    };
    let named = lookup(m, "timezone")
        .map(|v| match v {
            Value::String(s) => Zone::parse(s),
            other => Err(format!("'timezone' must be a string, found {}", other.type_name())),
        })
        .transpose()?;
    let source_zone = time_source.and_then(Temporal::zone);
    let utc = Zone::Offset(Offset::UTC);
    Ok(match kind {
        Kind::Date => Temporal::Date(date.unwrap_or(Date::ZERO)),
        Kind::LocalTime => Temporal::LocalTime(time),
        Kind::LocalDateTime => Temporal::LocalDateTime(date.unwrap_or(Date::ZERO).to_datetime(time)),
        Kind::Time => {
            // Only an offset can move a time of day without a date.
            let today = || Timestamp::now();
            let offset_of = |z: &Zone| match z {
                Zone::Offset(o) => *o,
                Zone::Named(tz) => tz.to_offset(today()),
            };
            match (&source_zone, &named) {
                (Some(from), Some(to)) => {
                    let (from, to) = (offset_of(from), offset_of(to));
                    let shift = i128::from(to.seconds() - from.seconds()) * 1_000_000_000;
                    Temporal::Time(time_of_nanos(nanos_of_day(time) + shift), to)
                }
                (Some(z), None) | (None, Some(z)) => Temporal::Time(time, offset_of(z)),
                (None, None) => Temporal::Time(time, offset_of(zone.as_ref().unwrap_or(&utc))),
            }
        }
        Kind::DateTime => {
            let local = date.unwrap_or(Date::ZERO).to_datetime(time);
            Temporal::DateTime(match (source_zone, named) {
                (Some(from), Some(to)) => {
                    let at = ZonedDateTime::from_local(local, &from)?.timestamp()?;
                    ZonedDateTime::from_instant(at, &to)
                }
                (Some(z), None) | (None, Some(z)) => ZonedDateTime::from_local(local, &z)?,
                (None, None) => ZonedDateTime::from_local(local, zone.as_ref().unwrap_or(&utc))?,
            })
        }
    })
}

fn small<T: TryFrom<i64>>(v: i64, what: &str) -> Result<T, String> {
    T::try_from(v).map_err(|_| format!("{what} {v} is out of range"))
}

/// The date the map's date keys select, the base giving what they leave out.
fn select_date(base: Option<Date>, m: &BTreeMap<String, Value>) -> Result<Date, String> {
    let has = |k: &str| lookup(m, k).is_some();
    let year = field(m, "year")?;
    let need_year = || "a date needs a year".to_string();
    let err = |e: jiff::Error| e.to_string();
    if has("week") || (has("dayofweek") && !has("month") && !has("day")) {
        let base_week = base.map(|d| d.iso_week_date());
        let week_year = year.or(base_week.map(|w| i64::from(w.year()))).ok_or_else(need_year)?;
        let week = field(m, "week")?.or(base_week.map(|w| i64::from(w.week()))).unwrap_or(1);
        let day = field(m, "dayofweek")?.or(base_week.map(|w| i64::from(w.weekday().to_monday_one_offset())));
        let weekday = Weekday::from_monday_one_offset(small(day.unwrap_or(1), "dayOfWeek")?).map_err(err)?;
        return ISOWeekDate::new(small(week_year, "year")?, small(week, "week")?, weekday)
            .map(|w| w.date())
            .map_err(err);
    }
    let year: i16 = small(year.or(base.map(|d| i64::from(d.year()))).ok_or_else(need_year)?, "year")?;
    if let Some(day) = field(m, "ordinalday")? {
        let day = small(day, "ordinalDay")?;
        return Date::new(year, 1, 1).and_then(|d| d.with().day_of_year(day).build()).map_err(err);
    }
    if has("quarter") || has("dayofquarter") {
        let quarter_of = |d: Date| i64::from((d.month() - 1) / 3 + 1);
        let quarter = field(m, "quarter")?.or(base.map(quarter_of)).unwrap_or(1);
        let day_of_quarter = field(m, "dayofquarter")?.or_else(|| {
            base.and_then(|d| {
                let start = Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).ok()?;
                Some(d.duration_since(start).as_hours() / 24 + 1)
            })
        });
        if !(1..=4).contains(&quarter) {
            return Err(format!("quarter {quarter} is out of range"));
        }
        let start = Date::new(year, small((quarter - 1) * 3 + 1, "quarter")?, 1).map_err(err)?;
        let date = start
            .checked_add(Span::new().try_days(day_of_quarter.unwrap_or(1) - 1).map_err(err)?)
            .map_err(err)?;
        if date.year() != year || (date.month() - 1) / 3 != start.month() / 3 {
            return Err("dayOfQuarter is out of range".into());
        }
        return Ok(date);
    }
    let month = field(m, "month")?.or(base.map(|d| i64::from(d.month()))).unwrap_or(1);
    let day = field(m, "day")?.or(base.map(|d| i64::from(d.day()))).unwrap_or(1);
    Date::new(year, small(month, "month")?, small(day, "day")?).map_err(err)
}

/// The time of day the map's time keys select, the base giving the rest.
fn select_time(base: Option<Time>, m: &BTreeMap<String, Value>) -> Result<Time, String> {
    let part = |key: &str, of: fn(Time) -> i64| -> Result<i64, String> {
        Ok(field(m, key)?.or(base.map(of)).unwrap_or(0))
    };
    let hour = part("hour", |t| i64::from(t.hour()))?;
    let minute = part("minute", |t| i64::from(t.minute()))?;
    let second = part("second", |t| i64::from(t.second()))?;
    // Each of the three overrides its own part of the base's fraction;
    // without a base, one alone may carry the whole fraction.
    let base_nanos = base.map_or(0, |t| i64::from(t.subsec_nanosecond()));
    let ms = field(m, "millisecond")?.unwrap_or(base_nanos / 1_000_000);
    let us = field(m, "microsecond")?.unwrap_or(base_nanos / 1_000 % 1_000);
    let ns = field(m, "nanosecond")?.unwrap_or(base_nanos % 1_000);
    if !(0..1_000).contains(&ms) || !(0..1_000_000).contains(&us) || !(0..1_000_000_000).contains(&ns) {
        return Err("a fraction of a second is out of range".into());
    }
    let nanos = ms * 1_000_000 + us * 1_000 + ns;
    if nanos >= 1_000_000_000 {
        return Err("a fraction of a second is out of range".into());
    }
    Time::new(
        small(hour, "hour")?,
        small(minute, "minute")?,
        small(second, "second")?,
        small(nanos, "nanosecond")?,
    )
    .map_err(|e| e.to_string())
}

/// `kind.truncate(unit, temporal [, map])`: the temporal cut down to the
/// unit, then the map's parts set on it, read in the temporal's own zone
/// (or the map's `timezone`, which keeps the local time).
fn truncate(kind: Kind, args: &[&Value]) -> Result<Temporal, String> {
    let unit = args.first().and_then(|v| v.as_str()).ok_or("the unit must be a string")?;
    let t = temporal_arg(args.get(1).copied().unwrap_or(&Value::Null), "the value to truncate")?;
    let empty = BTreeMap::new();
    let m = match args.get(2) {
        Some(Value::Map(m)) => m,
        Some(other) => return Err(format!("expected a map of parts, found {}", other.type_name())),
        None => &empty,
    };
    let date = t.date();
    let time = t.time().unwrap_or(Time::midnight());
    let unit = unit.to_ascii_lowercase();
    let err = |e: jiff::Error| e.to_string();
    let cut_year = |d: Date, every: i16| Date::new(d.year() - d.year().rem_euclid(every), 1, 1).map_err(err);
    let date_unit =
        ["millennium", "century", "decade", "year", "weekyear", "quarter", "month", "week", "day"]
            .contains(&unit.as_str());
    if kind.has_date() && date.is_none() {
        return Err(format!("cannot take a date from a {}", t.type_name()));
    }
    if !kind.has_date() && date_unit && unit != "day" {
        return Err(format!("cannot truncate a time of day to the {unit}"));
    }
    let cut_date = match (date, date_unit) {
        (Some(d), true) => Some(match unit.as_str() {
            "millennium" => cut_year(d, 1000)?,
            "century" => cut_year(d, 100)?,
            "decade" => cut_year(d, 10)?,
            "year" => d.first_of_year(),
            "weekyear" => ISOWeekDate::new(d.iso_week_date().year(), 1, Weekday::Monday).map_err(err)?.date(),
            "quarter" => Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).map_err(err)?,
            "month" => d.first_of_month(),
            "week" => d.iso_week_date().first_of_week().map_err(err)?.date(),
            _ => d,
        }),
        (d, _) => d,
    };
    let cut_time = if date_unit {
        Time::midnight()
    } else {
        let n = i64::from(time.subsec_nanosecond());
        let (h, mi, s) = (time.hour(), time.minute(), time.second());
        let parts = match unit.as_str() {
            "hour" => (h, 0, 0, 0),
            "minute" => (h, mi, 0, 0),
            "second" => (h, mi, s, 0),
            "millisecond" => (h, mi, s, n / 1_000_000 * 1_000_000),
            "microsecond" => (h, mi, s, n / 1_000 * 1_000),
            other => return Err(format!("unknown unit '{other}'")),
        };
        Time::new(parts.0, parts.1, parts.2, small(parts.3, "nanosecond")?).map_err(err)?
    };
    let mut parts = m.clone();
    if let Some(d) = cut_date {
        parts.insert("date".into(), Temporal::Date(d).into());
    }
    parts.insert("time".into(), Temporal::LocalTime(cut_time).into());
    from_map(kind, &parts, t.zone())
}

fn from_epoch(millis: bool, args: &[&Value]) -> Result<Temporal, String> {
    let first = args.first().map_or(Ok(0), |v| int_of(v, "the epoch"))?;
    let ts = if millis {
        Timestamp::from_millisecond(first)
    } else {
        let nanos = args.get(1).map_or(Ok(0), |v| int_of(v, "nanoseconds"))?;
        Timestamp::new(first, small(nanos, "nanoseconds")?)
    }
    .map_err(|e| e.to_string())?;
    Ok(Temporal::DateTime(ZonedDateTime::from_instant(ts, &Zone::Offset(Offset::UTC))))
}

fn duration(arg: &Value) -> Result<Temporal, String> {
    Ok(Temporal::Duration(match arg {
        Value::String(s) => model::parse_duration(s)?,
        Value::Map(m) => {
            let mut parts = Vec::with_capacity(m.len());
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                let n =
                    Num::of(v).ok_or_else(|| format!("'{k}' must be a number, found {}", v.type_name()))?;
                parts.push((k.as_str(), n));
            }
            Duration::from_units(parts)?
        }
        Value::Temporal(t) if matches!(**t, Temporal::Duration(_)) => return Ok((**t).clone()),
        other => return Err(format!("expected a string or a map, found {}", other.type_name())),
    }))
}

/// A temporal as a zoned date-time for `duration.between`: a missing date
/// is `date`, a missing time midnight, a missing zone `zone`.
fn zoned(t: &Temporal, date: Date, zone: &TimeZone) -> Result<Zoned, String> {
    let local = t.date().unwrap_or(date).to_datetime(t.time().unwrap_or(Time::midnight()));
    let tz = match t.zone() {
        Some(Zone::Offset(o)) => TimeZone::fixed(o),
        Some(Zone::Named(tz)) => tz,
        None => zone.clone(),
    };
    tz.to_ambiguous_zoned(local).compatible().map_err(|e| e.to_string())
}

/// `duration.between(a, b)` and its `inMonths/inDays/inSeconds` forms:
/// whole months, then whole days (only when both values have dates), then
/// the time left. A value without a date takes the other's; one without a
/// zone is read in the other's.
fn between(args: &[&Value], unit: Option<Unit>) -> Result<Temporal, String> {
    let a = temporal_arg(args.first().copied().unwrap_or(&Value::Null), "the first argument")?;
    let b = temporal_arg(args.get(1).copied().unwrap_or(&Value::Null), "the second argument")?;
    if matches!(a, Temporal::Duration(_)) || matches!(b, Temporal::Duration(_)) {
        return Err("cannot take the duration between durations".into());
    }
    let fallback = a.date().or(b.date()).unwrap_or(Date::constant(1970, 1, 1));
    let zone = match a.zone().or(b.zone()) {
        Some(Zone::Offset(o)) => TimeZone::fixed(o),
        Some(Zone::Named(tz)) => tz,
        None => TimeZone::UTC,
    };
    let mut from = zoned(a, fallback, &zone)?;
    let to = zoned(b, fallback, &zone)?.with_time_zone(from.time_zone().clone());
    let err = |e: jiff::Error| e.to_string();
    let both_dates = a.date().is_some() && b.date().is_some();
    let mut months = 0;
    if both_dates && matches!(unit, None | Some(Unit::Month)) {
        months = from.until((Unit::Month, &to)).map_err(err)?.get_months();
        from = from.checked_add(Span::new().try_months(months).map_err(err)?).map_err(err)?;
    }
    let mut days = 0;
    if both_dates && matches!(unit, None | Some(Unit::Day)) {
        days = from.until((Unit::Day, &to)).map_err(err)?.get_days();
        from = from.checked_add(Span::new().try_days(days).map_err(err)?).map_err(err)?;
    }
    let nanos = if matches!(unit, None | Some(Unit::Second)) {
        to.timestamp().as_nanosecond() - from.timestamp().as_nanosecond()
    } else {
        0
    };
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| "duration out of range")?;
    Duration::new(i64::from(months), i64::from(days), seconds, nanos.rem_euclid(1_000_000_000) as i64)
        .map(Temporal::Duration)
        .ok_or_else(|| "duration out of range".into())
}

/// Temporal arithmetic: an instant plus or minus a duration, durations
/// added and subtracted, a duration multiplied or divided by a number.
pub(crate) fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, ArithError> {
    let types = || ArithError::Types(a.type_name(), b.type_name());
    let failed = |m: String| ArithError::Temporal(m);
    let as_duration = |v: &Value| match v {
        Value::Temporal(t) => match &**t {
            Temporal::Duration(d) => Some(*d),
            _ => None,
        },
        _ => None,
    };
    let scaled = |d: Duration, n: &Value, divide: bool| -> Result<Value, ArithError> {
        let n = Num::of(n).ok_or_else(types)?;
        if divide && matches!(n, Num::Int(0)) {
            return Err(ArithError::DivisionByZero);
        }
        d.scale(n, divide)
            .map(|d| Temporal::Duration(d).into())
            .ok_or_else(|| failed("duration out of range".into()))
    };
    match (op, a, b) {
        (Arith::Add | Arith::Sub, Value::Temporal(t), _) => {
            let d = as_duration(b).ok_or_else(types)?;
            t.add(&d, op == Arith::Sub).map(Value::from).map_err(failed)
        }
        (Arith::Add, _, Value::Temporal(t)) => {
            let d = as_duration(a).ok_or_else(types)?;
            t.add(&d, false).map(Value::from).map_err(failed)
        }
        (Arith::Mul, _, _) => match (as_duration(a), as_duration(b)) {
            (Some(d), None) => scaled(d, b, false),
            (None, Some(d)) => scaled(d, a, false),
            _ => Err(types()),
        },
        (Arith::Div, _, _) => match as_duration(a) {
            Some(d) if as_duration(b).is_none() => scaled(d, b, true),
            _ => Err(types()),
        },
        _ => Err(types()),
    }
}

/// `-duration`.
pub(crate) fn negate(t: &Temporal) -> Result<Value, ArithError> {
    match t {
        Temporal::Duration(d) => d
            .checked_neg()
            .map(|d| Temporal::Duration(d).into())
            .ok_or_else(|| ArithError::Temporal("duration out of range".into())),
        other => Err(ArithError::Types(other.type_name(), "")),
    }
}
