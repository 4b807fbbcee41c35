//! Temporal values: `date`, `localtime`, `time`, `localdatetime`,
//! `datetime` and `duration`, with openCypher's string forms.
//!
//! The calendar and time-zone work is jiff's (with its bundled time-zone
//! database, so answers do not depend on the host); what is here are the
//! openCypher rules on top: which ISO forms a string may take, how a
//! duration keeps months, days and seconds apart, how a temporal prints.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::{self, Date, ISOWeekDate, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Span, Timestamp};

use super::Value;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_DAY: i128 = SECONDS_PER_DAY as i128 * NANOS_PER_SECOND;
/// openCypher's average month (365.2425 / 12 days), for fractional months.
const DAYS_PER_MONTH: f64 = 30.436_875;

/// A temporal value. Queries make them (`date('2015-07-21')`,
/// `duration.between(a, b)`); `Display` gives the ISO text openCypher
/// prints.
///
/// ```
/// use aikg::model::Temporal;
/// use aikg::{Graph, Value};
///
/// let graph = Graph::new();
/// let result = graph.query("RETURN date('2015-W30-2') + duration('P1M') AS d, date('2015-07-21').week AS w")?;
/// let row = result.row(0).unwrap();
/// let d: &Temporal = row[0].as_temporal().unwrap();
/// assert_eq!(d.to_string(), "2015-08-21");
/// assert_eq!(d.component("dayOfWeek"), Some(Value::Int(5)));
/// assert_eq!(row[1], Value::Int(30));
/// # Ok::<(), aikg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Temporal {
    /// A calendar date: `1984-10-11`.
    Date(Date),
    /// A time of day without a time zone: `12:31:14.645`.
    LocalTime(Time),
    /// A time of day at a UTC offset: `12:31:14+01:00`.
    Time(Time, Offset),
    /// A date and time without a time zone: `1984-10-11T12:31`.
    LocalDateTime(civil::DateTime),
    /// A date and time in a time zone: `1984-10-11T12:31+01:00[Europe/Stockholm]`.
    DateTime(ZonedDateTime),
    /// An amount of time: `P1Y2M10DT12H45M30.25S`.
    Duration(Duration),
}

/// A date and time at an offset, and in a named time zone when it was
/// given one (then the offset is the zone's at that moment).
#[derive(Debug, Clone)]
pub struct ZonedDateTime {
    local: civil::DateTime,
    offset: Offset,
    zone: Option<TimeZone>,
}

/// A time zone as a value may carry one: a fixed offset or a named zone.
#[derive(Debug, Clone)]
pub(crate) enum Zone {
    Offset(Offset),
    Named(TimeZone),
}

/// An amount of time kept as openCypher keeps it: months, days and seconds
/// apart, since a month has no fixed number of days nor a day of seconds.
/// `nanos` is always in `0..1_000_000_000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Duration {
    months: i64,
    days: i64,
    seconds: i64,
    nanos: i32,
}

/// A number as a constructor got it: whole numbers stay exact.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn of(v: &Value) -> Option<Num> {
        match v {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, String> {
    Err(message.into())
}

fn civil_err(e: jiff::Error) -> String {
    e.to_string()
}

/// Nanoseconds since 1970-01-01T00:00, as if the local time were UTC.
fn local_nanos(dt: civil::DateTime) -> i128 {
    dt.duration_since(civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0)).as_nanos()
}

pub(crate) fn nanos_of_day(t: Time) -> i128 {
    t.duration_since(Time::midnight()).as_nanos()
}

/// The time of day `n` nanoseconds after midnight, wrapping around.
pub(crate) fn time_of_nanos(n: i128) -> Time {
    let n = n.rem_euclid(NANOS_PER_DAY);
    Time::midnight().wrapping_add(SignedDuration::from_nanos_i128(n))
}

/// `n` nanoseconds as a jiff duration, or an error past its range.
fn signed_duration(n: i128) -> Result<SignedDuration, String> {
    let seconds = i64::try_from(n.div_euclid(NANOS_PER_SECOND)).map_err(|_| "duration out of range")?;
    Ok(SignedDuration::new(seconds, n.rem_euclid(NANOS_PER_SECOND) as i32))
}

impl Zone {
    /// `Z`, `+01:00`, `+0100`, `+01`, `-02:05:59` or a name such as
    /// `Europe/Stockholm`.
    pub(crate) fn parse(s: &str) -> Result<Zone, String> {
        if s.starts_with(['+', '-', 'Z', 'z']) {
            return parse_offset(s).map(Zone::Offset);
        }
        TimeZone::get(s).map(Zone::Named).map_err(|_| format!("unknown time zone '{s}'"))
    }

    /// The offset of this zone at a local date and time; a local time that
    /// a clock change skips or repeats takes the offset before the change.
    pub(crate) fn offset_at_local(&self, local: civil::DateTime) -> Result<Offset, String> {
        match self {
            Zone::Offset(o) => Ok(*o),
            Zone::Named(tz) => {
                let ts = tz.to_ambiguous_timestamp(local).compatible().map_err(civil_err)?;
                Ok(tz.to_offset(ts))
            }
        }
    }

    fn offset_at(&self, ts: Timestamp) -> Offset {
        match self {
            Zone::Offset(o) => *o,
            Zone::Named(tz) => tz.to_offset(ts),
        }
    }
}

impl ZonedDateTime {
    /// The value at a local date and time in `zone`.
    pub(crate) fn from_local(local: civil::DateTime, zone: &Zone) -> Result<ZonedDateTime, String> {
        let offset = zone.offset_at_local(local)?;
        let zone = match zone {
            Zone::Named(tz) => Some(tz.clone()),
            Zone::Offset(_) => None,
        };
        // The offset may move a skipped local time forward.
        let ts = offset.to_timestamp(local).map_err(civil_err)?;
        Ok(ZonedDateTime { local: offset.to_datetime(ts), offset, zone })
    }

    /// The value at an instant, seen in `zone`.
    pub(crate) fn from_instant(ts: Timestamp, zone: &Zone) -> ZonedDateTime {
        let offset = zone.offset_at(ts);
        let named = match zone {
            Zone::Named(tz) => Some(tz.clone()),
            Zone::Offset(_) => None,
        };
        ZonedDateTime { local: offset.to_datetime(ts), offset, zone: named }
    }

    /// The value as stored: a snapshot restores the offset it was saved
    /// with rather than asking the zone again, so a value reads back the
    /// same even if the time-zone database changed its rules since.
    pub(crate) fn from_parts(
        local: civil::DateTime,
        offset: Offset,
        zone: Option<TimeZone>,
    ) -> ZonedDateTime {
        ZonedDateTime { local, offset, zone }
    }

    /// The local date and time.
    pub fn local(&self) -> civil::DateTime {
        self.local
    }

    /// The UTC offset.
    pub fn offset(&self) -> Offset {
        self.offset
    }

    /// The name of the time zone, if the value has a named one.
    pub fn zone_name(&self) -> Option<&str> {
        self.zone.as_ref().and_then(|z| z.iana_name())
    }

    pub(crate) fn zone(&self) -> Zone {
        match &self.zone {
            Some(tz) => Zone::Named(tz.clone()),
            None => Zone::Offset(self.offset),
        }
    }

    /// Nanoseconds since the Unix epoch.
    pub(crate) fn epoch_nanos(&self) -> i128 {
        local_nanos(self.local) - i128::from(self.offset.seconds()) * NANOS_PER_SECOND
    }

    pub(crate) fn timestamp(&self) -> Result<Timestamp, String> {
        Timestamp::from_nanosecond(self.epoch_nanos()).map_err(civil_err)
    }
}

/// Two date-times are the same value when they are at the same local time,
/// offset and zone; openCypher `=` compares their instants.
impl PartialEq for ZonedDateTime {
    fn eq(&self, other: &ZonedDateTime) -> bool {
        self.local == other.local && self.offset == other.offset && self.zone_name() == other.zone_name()
    }
}

impl Eq for ZonedDateTime {}

impl std::hash::Hash for ZonedDateTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.local.hash(state);
        self.offset.hash(state);
        self.zone_name().hash(state);
    }
}

impl Duration {
    /// A duration of whole months, days and seconds plus nanoseconds (any
    /// sign; carried into seconds); `None` when it does not fit.
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> Option<Duration> {
        let total = i128::from(seconds) * NANOS_PER_SECOND + i128::from(nanos);
        Duration::of_nanos(months, days, total)
    }

    fn of_nanos(months: i64, days: i64, nanos: i128) -> Option<Duration> {
        let seconds = i64::try_from(nanos.div_euclid(NANOS_PER_SECOND)).ok()?;
        let nanos = nanos.rem_euclid(NANOS_PER_SECOND) as i32;
        Some(Duration { months, days, seconds, nanos })
    }

    /// The whole months.
    pub fn months(&self) -> i64 {
        self.months
    }

    /// The days beside the months.
    pub fn days(&self) -> i64 {
        self.days
    }

    /// The seconds beside the months and days (rounded down).
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// The nanoseconds beside the seconds, `0..1_000_000_000`.
    pub fn subsec_nanos(&self) -> i32 {
        self.nanos
    }

    fn total_nanos(&self) -> i128 {
        i128::from(self.seconds) * NANOS_PER_SECOND + i128::from(self.nanos)
    }

    /// Builds a duration from fractional parts the way openCypher does: a
    /// fraction of a month becomes days at the average month length, a
    /// fraction of a day becomes seconds, and of a second nanoseconds.
    fn approximate(months: f64, days: f64, seconds: f64, nanos: f64) -> Option<Duration> {
        let whole_months = months.trunc();
        let days = days + (months - whole_months) * DAYS_PER_MONTH;
        let whole_days = days.trunc();
        let seconds = seconds + (days - whole_days) * SECONDS_PER_DAY as f64;
        let whole_seconds = seconds.trunc();
        let fraction = ((seconds - whole_seconds) * 1e9).round() + nanos.trunc();
        let fits = |x: f64| x.is_finite() && x.abs() < 9.2e18;
        if ![whole_months, whole_days, whole_seconds, fraction].into_iter().all(fits) {
            return None;
        }
        Duration::new(whole_months as i64, whole_days as i64, whole_seconds as i64, fraction as i64)
    }

    /// A duration from named parts (`years`, `months`, `weeks`, `days`,
    /// `hours`, `minutes`, `seconds`, `milliseconds`, `microseconds`,
    /// `nanoseconds`), any of them fractional.
    pub(crate) fn from_units<'k>(
        parts: impl IntoIterator<Item = (&'k str, Num)>,
    ) -> Result<Duration, String> {
        let (mut months, mut days, mut nanos) = (0i128, 0i128, 0i128);
        let (mut months_f, mut days_f, mut seconds_f) = (0f64, 0f64, 0f64);
        for (unit, n) in parts {
            let (scale, target): (i128, usize) = match unit.to_ascii_lowercase().as_str() {
                "years" => (12, 0),
                "months" => (1, 0),
                "weeks" => (7, 1),
                "days" => (1, 1),
                "hours" => (3_600 * NANOS_PER_SECOND, 2),
                "minutes" => (60 * NANOS_PER_SECOND, 2),
                "seconds" => (NANOS_PER_SECOND, 2),
                "milliseconds" => (1_000_000, 2),
                "microseconds" => (1_000, 2),
                "nanoseconds" => (1, 2),
                other => return err(format!("duration has no unit '{other}'")),
            };
            match n {
                Num::Int(i) => *[&mut months, &mut days, &mut nanos][target] += i128::from(i) * scale,
                Num::Float(f) => {
                    let x = f * scale as f64;
                    match target {
                        0 => months_f += x,
                        1 => days_f += x,
                        _ => seconds_f += x / 1e9,
                    }
                }
            }
        }
        let base = Duration::approximate(months_f, days_f, seconds_f, 0.0).ok_or("duration out of range")?;
        let fit = |x: i128| i64::try_from(x).map_err(|_| "duration out of range".to_string());
        Duration::of_nanos(
            fit(months + i128::from(base.months))?,
            fit(days + i128::from(base.days))?,
            nanos + base.total_nanos(),
        )
        .ok_or_else(|| "duration out of range".to_string())
    }

    /// `self + other`, part by part.
    pub fn checked_add(&self, other: &Duration) -> Option<Duration> {
        Duration::of_nanos(
            self.months.checked_add(other.months)?,
            self.days.checked_add(other.days)?,
            self.total_nanos() + other.total_nanos(),
        )
    }

    /// `-self`.
    pub fn checked_neg(&self) -> Option<Duration> {
        Duration::of_nanos(self.months.checked_neg()?, self.days.checked_neg()?, -self.total_nanos())
    }

    /// `self * factor`: exact for an integer, by [`Duration::approximate`]
    /// for a float.
    pub(crate) fn scale(&self, factor: Num, divide: bool) -> Option<Duration> {
        match (factor, divide) {
            (Num::Int(k), false) => Duration::of_nanos(
                self.months.checked_mul(k)?,
                self.days.checked_mul(k)?,
                self.total_nanos().checked_mul(i128::from(k))?,
            ),
            (factor, _) => {
                let f = match factor {
                    Num::Int(i) => i as f64,
                    Num::Float(f) => f,
                };
                let g = |x: f64| if divide { x / f } else { x * f };
                Duration::approximate(
                    g(self.months as f64),
                    g(self.days as f64),
                    g(self.seconds as f64),
                    g(f64::from(self.nanos)),
                )
            }
        }
    }

    /// A component by its openCypher name (`years`, `monthsOfYear`, ...).
    pub fn component(&self, name: &str) -> Option<i64> {
        let nanos = i64::from(self.nanos);
        Some(match name.to_ascii_lowercase().as_str() {
            "years" => self.months / 12,
            "quarters" => self.months / 3,
            "months" => self.months,
            "weeks" => self.days / 7,
            "days" => self.days,
            "hours" => self.seconds / 3_600,
            "minutes" => self.seconds / 60,
            "seconds" => self.seconds,
            "milliseconds" => self.seconds.checked_mul(1_000)? + nanos / 1_000_000,
            "microseconds" => self.seconds.checked_mul(1_000_000)? + nanos / 1_000,
            "nanoseconds" => self.seconds.checked_mul(1_000_000_000)? + nanos,
            "quartersofyear" => (self.months % 12) / 3,
            "monthsofquarter" => self.months % 3,
            "monthsofyear" => self.months % 12,
            "daysofweek" => self.days % 7,
            "minutesofhour" => self.seconds / 60 % 60,
            "secondsofminute" => self.seconds % 60,
            "millisecondsofsecond" => nanos / 1_000_000,
            "microsecondsofsecond" => nanos / 1_000,
            "nanosecondsofsecond" => nanos,
            _ => return None,
        })
    }
}

/// ISO 8601 as openCypher prints it: `P1Y2M10DT12H45M30.25S`, each part
/// with its own sign, `PT0S` for zero.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("P");
        let part = |v: i64, unit: char, out: &mut String| {
            if v != 0 {
                out.push_str(&format!("{v}{unit}"));
            }
        };
        part(self.months / 12, 'Y', &mut out);
        part(self.months % 12, 'M', &mut out);
        part(self.days, 'D', &mut out);
        if self.seconds != 0 || self.nanos != 0 {
            let (mut s, mut n) = (self.seconds, i64::from(self.nanos));
            // Seconds and their fraction print with one sign.
            if s < 0 && n != 0 {
                s += 1;
                n -= 1_000_000_000;
            }
            out.push('T');
            part(s / 3_600, 'H', &mut out);
            part((s % 3_600) / 60, 'M', &mut out);
            let s = s % 60;
            if s != 0 || n != 0 {
                if s == 0 && n < 0 {
                    out.push('-');
                }
                out.push_str(&s.to_string());
                if n != 0 {
                    let digits = format!("{:09}", n.abs());
                    out.push('.');
                    out.push_str(digits.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        if out.len() == 1 {
            out.push_str("T0S");
        }
        f.write_str(&out)
    }
}

impl Temporal {
    /// The openCypher type name: `Date`, `LocalTime`, `Time`,
    /// `LocalDateTime`, `DateTime` or `Duration`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "Date",
            Temporal::LocalTime(_) => "LocalTime",
            Temporal::Time(..) => "Time",
            Temporal::LocalDateTime(_) => "LocalDateTime",
            Temporal::DateTime(_) => "DateTime",
            Temporal::Duration(_) => "Duration",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Temporal::DateTime(_) => 0,
            Temporal::LocalDateTime(_) => 1,
            Temporal::Date(_) => 2,
            Temporal::Time(..) => 3,
            Temporal::LocalTime(_) => 4,
            Temporal::Duration(_) => 5,
        }
    }

    /// The date part, if the value has one.
    pub fn date(&self) -> Option<Date> {
        match self {
            Temporal::Date(d) => Some(*d),
            Temporal::LocalDateTime(dt) => Some(dt.date()),
            Temporal::DateTime(z) => Some(z.local.date()),
            _ => None,
        }
    }

    /// The time-of-day part, if the value has one.
    pub fn time(&self) -> Option<Time> {
        match self {
            Temporal::LocalTime(t) | Temporal::Time(t, _) => Some(*t),
            Temporal::LocalDateTime(dt) => Some(dt.time()),
            Temporal::DateTime(z) => Some(z.local.time()),
            _ => None,
        }
    }

    /// The time zone, if the value has one.
    pub(crate) fn zone(&self) -> Option<Zone> {
        match self {
            Temporal::Time(_, o) => Some(Zone::Offset(*o)),
            Temporal::DateTime(z) => Some(z.zone()),
            _ => None,
        }
    }

    /// openCypher's ordering of two values of the same type; `None` for
    /// different types and for durations, which have no order.
    pub(crate) fn compare(&self, other: &Temporal) -> Option<Ordering> {
        use Temporal::*;
        match (self, other) {
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (LocalTime(a), LocalTime(b)) => Some(a.cmp(b)),
            (Time(a, p), Time(b, q)) => {
                let utc = |t: &civil::Time, o: &Offset| {
                    nanos_of_day(*t) - i128::from(o.seconds()) * NANOS_PER_SECOND
                };
                Some(utc(a, p).cmp(&utc(b, q)))
            }
            (LocalDateTime(a), LocalDateTime(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(a.epoch_nanos().cmp(&b.epoch_nanos())),
            _ => None,
        }
    }

    /// openCypher `=`: same instant for zoned values, same parts for
    /// durations, false across types.
    pub(crate) fn equals(&self, other: &Temporal) -> bool {
        match (self, other) {
            (Temporal::Duration(a), Temporal::Duration(b)) => a == b,
            _ => self.compare(other) == Some(Ordering::Equal),
        }
    }

    /// The total order `ORDER BY` uses among temporal values: by type,
    /// then by time.
    pub(crate) fn order(&self, other: &Temporal) -> Ordering {
        self.rank().cmp(&other.rank()).then_with(|| match (self, other) {
            (Temporal::Duration(a), Temporal::Duration(b)) => a.cmp(b),
            _ => self.compare(other).unwrap_or(Ordering::Equal).then_with(|| {
                // Equal instants in different zones still sort apart.
                let key = |t: &Temporal| t.to_string();
                key(self).cmp(&key(other))
            }),
        })
    }

    /// A component by its openCypher name (`year`, `week`, `timezone`,
    /// `epochSeconds`, `months`, ...); `None` when the value has no such
    /// component.
    pub fn component(&self, name: &str) -> Option<Value> {
        if let Temporal::Duration(d) = self {
            return d.component(name).map(Value::Int);
        }
        let key = name.to_ascii_lowercase();
        if let Some(d) = self.date() {
            let week = d.iso_week_date();
            let quarter_start = Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).ok()?;
            let v = match key.as_str() {
                "year" => Some(i64::from(d.year())),
                "quarter" => Some(i64::from((d.month() - 1) / 3 + 1)),
                "month" => Some(i64::from(d.month())),
                "week" => Some(i64::from(week.week())),
                "weekyear" => Some(i64::from(week.year())),
                "day" => Some(i64::from(d.day())),
                "ordinalday" => Some(i64::from(d.day_of_year())),
                "weekday" | "dayofweek" => Some(i64::from(d.weekday().to_monday_one_offset())),
                "dayofquarter" => Some(d.duration_since(quarter_start).as_hours() / 24 + 1),
                _ => None,
            };
            if v.is_some() {
                return v.map(Value::Int);
            }
        }
        if let Some(t) = self.time() {
            let n = i64::from(t.subsec_nanosecond());
            let v = match key.as_str() {
                "hour" => Some(i64::from(t.hour())),
                "minute" => Some(i64::from(t.minute())),
                "second" => Some(i64::from(t.second())),
                "millisecond" => Some(n / 1_000_000),
                "microsecond" => Some(n / 1_000),
                "nanosecond" => Some(n),
                _ => None,
            };
            if v.is_some() {
                return v.map(Value::Int);
            }
        }
        let offset = match self {
            Temporal::Time(_, o) => *o,
            Temporal::DateTime(z) => z.offset,
            _ => return None,
        };
        match key.as_str() {
            "timezone" => Some(match self {
                Temporal::DateTime(z) if z.zone_name().is_some() => {
                    Value::from(z.zone_name().unwrap_or_default())
                }
                _ => Value::from(offset_text(offset)),
            }),
            "offset" => Some(Value::from(offset_text(offset))),
            "offsetminutes" => Some(Value::Int(i64::from(offset.seconds() / 60))),
            "offsetseconds" => Some(Value::Int(i64::from(offset.seconds()))),
            "epochseconds" | "epochmillis" => {
                let Temporal::DateTime(z) = self else { return None };
                let n = z.epoch_nanos();
                let unit = if key == "epochseconds" { NANOS_PER_SECOND } else { 1_000_000 };
                i64::try_from(n.div_euclid(unit)).ok().map(Value::Int)
            }
            _ => None,
        }
    }

    /// `self + duration` (or `-` with `negate`), as openCypher adds: months
    /// first, then days, then the time; a date takes whole days of the
    /// seconds, a time ignores months and days.
    pub(crate) fn add(&self, d: &Duration, negate: bool) -> Result<Temporal, String> {
        let sign = if negate { -1 } else { 1 };
        let (months, days) = (d.months * sign, d.days * sign);
        let nanos = d.total_nanos() * i128::from(sign);
        // One span each: a jiff span has one sign, a duration's parts do not.
        let calendar = |date: Date, days: i64| -> Result<Date, String> {
            let months = Span::new().try_months(months).map_err(civil_err)?;
            let days = Span::new().try_days(days).map_err(civil_err)?;
            date.checked_add(months).and_then(|d| d.checked_add(days)).map_err(civil_err)
        };
        let shift = |dt: civil::DateTime| -> Result<civil::DateTime, String> {
            let date = calendar(dt.date(), days)?;
            date.to_datetime(dt.time()).checked_add(signed_duration(nanos)?).map_err(civil_err)
        };
        Ok(match self {
            Temporal::Date(date) => {
                let whole_days = i64::try_from(nanos / NANOS_PER_DAY).map_err(|_| "duration out of range")?;
                Temporal::Date(calendar(*date, days.checked_add(whole_days).ok_or("duration out of range")?)?)
            }
            Temporal::LocalTime(t) => Temporal::LocalTime(time_of_nanos(nanos_of_day(*t) + nanos)),
            Temporal::Time(t, o) => Temporal::Time(time_of_nanos(nanos_of_day(*t) + nanos), *o),
            Temporal::LocalDateTime(dt) => Temporal::LocalDateTime(shift(*dt)?),
            Temporal::DateTime(z) => {
                let zone = z.zone();
                let moved = calendar(z.local.date(), days)?.to_datetime(z.local.time());
                let at = ZonedDateTime::from_local(moved, &zone)?;
                let ts = Timestamp::from_nanosecond(at.epoch_nanos() + nanos).map_err(civil_err)?;
                Temporal::DateTime(ZonedDateTime::from_instant(ts, &zone))
            }
            Temporal::Duration(a) => {
                let b = if negate { d.checked_neg() } else { Some(*d) };
                Temporal::Duration(b.and_then(|b| a.checked_add(&b)).ok_or("duration out of range")?)
            }
        })
    }
}

fn write_year(out: &mut String, year: i16) {
    if (0..=9999).contains(&year) {
        out.push_str(&format!("{year:04}"));
    } else if year < 0 {
        out.push_str(&format!("-{:04}", -i32::from(year)));
    } else {
        out.push_str(&format!("+{year}"));
    }
}

fn date_text(d: Date) -> String {
    let mut out = String::new();
    write_year(&mut out, d.year());
    out.push_str(&format!("-{:02}-{:02}", d.month(), d.day()));
    out
}

/// `HH:MM`, then `:SS` when there are seconds, then the fraction in groups
/// of three digits.
fn time_text(t: Time) -> String {
    let mut out = format!("{:02}:{:02}", t.hour(), t.minute());
    let n = t.subsec_nanosecond();
    if t.second() != 0 || n != 0 {
        out.push_str(&format!(":{:02}", t.second()));
    }
    if n != 0 {
        let digits = if n % 1_000_000 == 0 {
            format!("{:03}", n / 1_000_000)
        } else if n % 1_000 == 0 {
            format!("{:06}", n / 1_000)
        } else {
            format!("{n:09}")
        };
        out.push('.');
        out.push_str(&digits);
    }
    out
}

/// `Z`, `+01:00`, or `+00:53:28` when the offset has seconds.
pub(crate) fn offset_text(o: Offset) -> String {
    let s = o.seconds();
    if s == 0 {
        return "Z".into();
    }
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.abs();
    let mut out = format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60);
    if a % 60 != 0 {
        out.push_str(&format!(":{:02}", a % 60));
    }
    out
}

/// The ISO string openCypher prints (`toString`, results).
impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Temporal::Date(d) => f.write_str(&date_text(*d)),
            Temporal::LocalTime(t) => f.write_str(&time_text(*t)),
            Temporal::Time(t, o) => write!(f, "{}{}", time_text(*t), offset_text(*o)),
            Temporal::LocalDateTime(dt) => write!(f, "{}T{}", date_text(dt.date()), time_text(dt.time())),
            Temporal::DateTime(z) => {
                write!(
                    f,
                    "{}T{}{}",
                    date_text(z.local.date()),
                    time_text(z.local.time()),
                    offset_text(z.offset)
                )?;
                match z.zone_name() {
                    Some(name) => write!(f, "[{name}]"),
                    None => Ok(()),
                }
            }
            Temporal::Duration(d) => write!(f, "{d}"),
        }
    }
}

// ----- parsing ISO strings -------------------------------------------------------------

/// A cursor over an ISO string.
struct Cursor<'s> {
    rest: &'s str,
}

impl<'s> Cursor<'s> {
    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(r) => {
                self.rest = r;
                true
            }
            None => false,
        }
    }

    fn digits(&mut self, max: usize) -> &'s str {
        let n = self.rest.bytes().take(max).take_while(u8::is_ascii_digit).count();
        let (d, r) = self.rest.split_at(n);
        self.rest = r;
        d
    }

    fn number(&mut self, exactly: usize, what: &str) -> Result<i64, String> {
        let d = self.digits(exactly);
        if d.len() != exactly {
            return err(format!("expected {exactly} digits for the {what}"));
        }
        d.parse().map_err(|_| format!("invalid {what}"))
    }
}

fn small<T: TryFrom<i64>>(v: i64, what: &str) -> Result<T, String> {
    T::try_from(v).map_err(|_| format!("{what} {v} is out of range"))
}

/// Dates: `2015-07-21`, `20150721`, `2015-07`, `201507`, `2015-W30-2`,
/// `2015W302`, `2015-W30`, `2015W30`, `2015-202`, `2015202`, `2015`; a
/// signed year (`-0044-03-15`, `+12345-01-01`) may have more digits.
pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    let mut c = Cursor { rest: s };
    let date = date_part(&mut c)?;
    if !c.rest.is_empty() {
        return err(format!("unexpected '{}' in date", c.rest));
    }
    Ok(date)
}

fn date_part(c: &mut Cursor<'_>) -> Result<Date, String> {
    let negative = c.eat('-');
    let signed = negative || c.eat('+');
    let digits = c.digits(if signed { 10 } else { 4 });
    if digits.len() < 4 {
        return err("expected a four-digit year");
    }
    let year: i64 = digits.parse().map_err(|_| "invalid year")?;
    let year: i16 = small(if negative { -year } else { year }, "year")?;
    let dash = c.eat('-');
    if c.eat('W') {
        let week = small(c.number(2, "week")?, "week")?;
        let day = if (dash && c.eat('-')) || (!dash && c.rest.starts_with(|ch: char| ch.is_ascii_digit())) {
            c.number(1, "day of week")?
        } else {
            1
        };
        let weekday = Weekday::from_monday_one_offset(small(day, "day of week")?).map_err(civil_err)?;
        return ISOWeekDate::new(year, week, weekday).map(|w| w.date()).map_err(civil_err);
    }
    let rest_digits = c.rest.bytes().take_while(u8::is_ascii_digit).count();
    if rest_digits == 3 {
        let day = small(c.number(3, "day of year")?, "day of year")?;
        return Date::new(year, 1, 1).and_then(|d| d.with().day_of_year(day).build()).map_err(civil_err);
    }
    if rest_digits == 0 {
        return if dash {
            err("expected a month after '-'")
        } else {
            Date::new(year, 1, 1).map_err(civil_err)
        };
    }
    let month = small(c.number(2, "month")?, "month")?;
    let day = if (dash && c.eat('-')) || (!dash && rest_digits == 4) {
        small(c.number(2, "day")?, "day")?
    } else {
        1
    };
    Date::new(year, month, day).map_err(civil_err)
}

/// Times: `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21`; what
/// follows (an offset, a zone) is left in the cursor.
fn time_part(c: &mut Cursor<'_>) -> Result<Time, String> {
    let hour = c.number(2, "hour")?;
    let extended = c.rest.starts_with(':');
    let next = |c: &mut Cursor<'_>, what: &str| -> Result<Option<i64>, String> {
        if extended {
            if !c.eat(':') {
                return Ok(None);
            }
        } else if !c.rest.starts_with(|ch: char| ch.is_ascii_digit()) {
            return Ok(None);
        }
        c.number(2, what).map(Some)
    };
    let minute = next(c, "minute")?.unwrap_or(0);
    let second = next(c, "second")?.unwrap_or(0);
    let mut nanos = 0;
    if c.eat('.') || c.eat(',') {
        let d = c.digits(9);
        if d.is_empty() {
            return err("expected digits after the decimal point");
        }
        nanos = format!("{d:0<9}").parse().map_err(|_| "invalid fraction")?;
    }
    Time::new(small(hour, "hour")?, small(minute, "minute")?, small(second, "second")?, nanos)
        .map_err(civil_err)
}

/// An offset: `Z`, `+01:00`, `+0100`, `+01`, `-02:05:59`.
fn parse_offset(s: &str) -> Result<Offset, String> {
    if s.eq_ignore_ascii_case("z") {
        return Ok(Offset::UTC);
    }
    let mut c = Cursor { rest: s };
    let negative = c.eat('-');
    if !negative && !c.eat('+') {
        return err(format!("invalid offset '{s}'"));
    }
    let hours = c.number(2, "offset hours")?;
    let colon = c.eat(':');
    let mut seconds = hours * 3600;
    if !c.rest.is_empty() {
        seconds += c.number(2, "offset minutes")? * 60;
        if !c.rest.is_empty() {
            if colon && !c.eat(':') {
                return err(format!("invalid offset '{s}'"));
            }
            seconds += c.number(2, "offset seconds")?;
        }
    }
    if !c.rest.is_empty() || hours > 18 {
        return err(format!("invalid offset '{s}'"));
    }
    Offset::from_seconds(small(if negative { -seconds } else { seconds }, "offset")?).map_err(civil_err)
}

/// What may follow a time: an offset, a `[zone]`, or both.
fn zone_suffix(s: &str) -> Result<Option<Zone>, String> {
    let (offset, name) = match s.find('[') {
        Some(i) => {
            let name = s[i + 1..].strip_suffix(']').ok_or("expected ']' after the time zone name")?;
            (&s[..i], Some(name))
        }
        None => (s, None),
    };
    if let Some(name) = name {
        return Zone::parse(name).map(Some);
    }
    if offset.is_empty() {
        return Ok(None);
    }
    parse_offset(offset).map(|o| Some(Zone::Offset(o)))
}

fn split_time(s: &str) -> Result<(Time, Option<Zone>), String> {
    let mut c = Cursor { rest: s };
    let time = time_part(&mut c)?;
    Ok((time, zone_suffix(c.rest)?))
}

/// `localtime('21:40:32')`; an offset, if any, is dropped.
pub(crate) fn parse_local_time(s: &str) -> Result<Time, String> {
    split_time(s).map(|(t, _)| t)
}

/// `time('21:40:32+01:00')`; without an offset, UTC.
pub(crate) fn parse_time(s: &str) -> Result<(Time, Offset), String> {
    let (t, zone) = split_time(s)?;
    let offset = match zone {
        None => Offset::UTC,
        Some(Zone::Offset(o)) => o,
        Some(Zone::Named(tz)) => tz.to_offset(Timestamp::now()),
    };
    Ok((t, offset))
}

fn split_datetime(s: &str) -> Result<(civil::DateTime, Option<Zone>), String> {
    let mut c = Cursor { rest: s };
    let date = date_part(&mut c)?;
    if c.rest.is_empty() {
        return Ok((date.to_datetime(Time::midnight()), None));
    }
    if !c.eat('T') {
        return err(format!("unexpected '{}' in date", c.rest));
    }
    let (time, zone) = split_time(c.rest)?;
    Ok((date.to_datetime(time), zone))
}

/// `localdatetime('2015-07-21T21:40:32.142')`.
pub(crate) fn parse_local_datetime(s: &str) -> Result<civil::DateTime, String> {
    split_datetime(s).map(|(dt, _)| dt)
}

/// `datetime('2015-07-21T21:40:32.142+02:00[Europe/Stockholm]')`; without
/// a zone, UTC.
pub(crate) fn parse_datetime(s: &str) -> Result<ZonedDateTime, String> {
    let (dt, zone) = split_datetime(s)?;
    ZonedDateTime::from_local(dt, &zone.unwrap_or(Zone::Offset(Offset::UTC)))
}

/// `P14DT16H12M`, `P5M1.5D`, `PT-1.999S`, `P2.5W`, or the date-like
/// `P2012-02-02T14:37:21.545`.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let body = s.strip_prefix(['P', 'p']).ok_or_else(|| format!("a duration starts with 'P': '{s}'"))?;
    let date_like =
        body.len() > 4 && body.as_bytes()[..4].iter().all(u8::is_ascii_digit) && body.as_bytes()[4] == b'-';
    if date_like {
        let (dt, zone) = split_datetime(body)?;
        if zone.is_some() {
            return err(format!("invalid duration '{s}'"));
        }
        let t = dt.time();
        return Duration::from_units([
            ("years", Num::Int(dt.year().into())),
            ("months", Num::Int(dt.month().into())),
            ("days", Num::Int(dt.day().into())),
            ("hours", Num::Int(t.hour().into())),
            ("minutes", Num::Int(t.minute().into())),
            ("seconds", Num::Int(t.second().into())),
            ("nanoseconds", Num::Int(t.subsec_nanosecond().into())),
        ]);
    }
    let mut parts = Vec::new();
    let mut in_time = false;
    let mut rest = body;
    if rest.is_empty() {
        return err(format!("empty duration '{s}'"));
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['T', 't']) {
            in_time = true;
            rest = r;
            continue;
        }
        let len = rest
            .char_indices()
            .find(|&(i, ch)| {
                !(ch.is_ascii_digit() || ch == '.' || ch == ',' || (i == 0 && (ch == '-' || ch == '+')))
            })
            .map_or(rest.len(), |(i, _)| i);
        let (number, r) = rest.split_at(len);
        let unit = r.chars().next().ok_or_else(|| format!("expected a unit after '{number}' in '{s}'"))?;
        rest = &r[unit.len_utf8()..];
        let number = number.replace(',', ".");
        let n = if number.contains('.') {
            Num::Float(number.parse().map_err(|_| format!("invalid number '{number}' in '{s}'"))?)
        } else {
            Num::Int(number.parse().map_err(|_| format!("invalid number '{number}' in '{s}'"))?)
        };
        let name = match (unit.to_ascii_uppercase(), in_time) {
            ('Y', false) => "years",
            ('M', false) => "months",
            ('W', false) => "weeks",
            ('D', false) => "days",
            ('H', true) => "hours",
            ('M', true) => "minutes",
            ('S', true) => "seconds",
            _ => return err(format!("unexpected unit '{unit}' in duration '{s}'")),
        };
        parts.push((name, n));
    }
    Duration::from_units(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(s: &str) -> String {
        parse_duration(s).unwrap().to_string()
    }

    #[test]
    fn dates_in_every_iso_form() {
        for s in ["2015-07-21", "20150721", "2015-W30-2", "2015W302", "2015-202", "2015202"] {
            assert_eq!(date_text(parse_date(s).unwrap()), "2015-07-21", "{s}");
        }
        assert_eq!(date_text(parse_date("2015-W30").unwrap()), "2015-07-20");
        assert_eq!(date_text(parse_date("201507").unwrap()), "2015-07-01");
        assert_eq!(date_text(parse_date("2015").unwrap()), "2015-01-01");
        assert!(parse_date("2015-13-01").is_err());
        assert!(parse_date("15-01-01").is_err());
    }

    #[test]
    fn times_and_zones_print_as_opencypher_does() {
        let (t, o) = parse_time("2140-02").unwrap();
        assert_eq!(Temporal::Time(t, o).to_string(), "21:40-02:00");
        let (t, o) = parse_time("214032.142Z").unwrap();
        assert_eq!(Temporal::Time(t, o).to_string(), "21:40:32.142Z");
        let z = parse_datetime("1818-07-21T21:40:32.142[Europe/Stockholm]").unwrap();
        assert_eq!(Temporal::DateTime(z).to_string(), "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]");
        let z = parse_datetime("2015-07-21T21:40:32.142-04[America/New_York]").unwrap();
        assert_eq!(Temporal::DateTime(z).to_string(), "2015-07-21T21:40:32.142-04:00[America/New_York]");
    }

    #[test]
    fn durations_keep_months_days_and_seconds_apart() {
        assert_eq!(dur("P5M1.5D"), "P5M1DT12H");
        assert_eq!(dur("P0.75M"), "P22DT19H51M49.5S");
        assert_eq!(dur("P2.5W"), "P17DT12H");
        assert_eq!(dur("P12Y5M14DT16H12M70S"), "P12Y5M14DT16H13M10S");
        assert_eq!(dur("P2012-02-02T14:37:21.545"), "P2012Y2M2DT14H37M21.545S");
        assert_eq!(dur("PT-1.999S"), "PT-1.999S");
        assert_eq!(Duration::new(0, 0, -61, 999_000_000).unwrap().to_string(), "PT-1M-0.001S");
        assert_eq!(Duration::default().to_string(), "PT0S");
    }

    #[test]
    fn arithmetic_adds_months_then_days_then_time() {
        let d = Temporal::Date(Date::constant(1984, 10, 11));
        let p = parse_duration("P12Y5M14DT16H12M70S").unwrap();
        assert_eq!(d.add(&p, false).unwrap().to_string(), "1997-03-25");
        assert_eq!(d.add(&p, true).unwrap().to_string(), "1972-04-27");
        let half = p.scale(Num::Float(0.5), false).unwrap();
        assert_eq!(half.to_string(), "P6Y2M22DT13H21M8S");
    }
}
