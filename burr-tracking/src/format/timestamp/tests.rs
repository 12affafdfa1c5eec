//! Tests of timestamp parsing and printing.

use super::*;
use serde_json::{Value, json};

#[test]
fn timestamps_parse_every_accepted_form() {
    let cases = [
        ("2024-08-27T11:59:58.577318", "2024-08-27T11:59:58.577318"),
        ("2024-08-27T11:59:58Z", "2024-08-27T11:59:58Z"),
        ("2024-08-27T11:59:58+00:00", "2024-08-27T11:59:58Z"),
        ("2024-08-27T11:59:58+02:00", "2024-08-27T11:59:58+02:00"),
        ("2024-08-27T11:59:58-0130", "2024-08-27T11:59:58-01:30"),
        ("2024-08-27T11:59:58.5", "2024-08-27T11:59:58.500000"),
        ("2024-08-27T11:59:58,5", "2024-08-27T11:59:58.500000"),
        ("2024-08-27T11:59:58.1234567", "2024-08-27T11:59:58.123456"),
        ("2024-08-27T11:59:58.000000", "2024-08-27T11:59:58"),
        ("2024-08-27t11:59:58z", "2024-08-27T11:59:58Z"),
        ("2024-08-27T11:59", "2024-08-27T11:59:00"),
        ("2024-01-01", "2024-01-01T00:00:00"),
        ("2024-01-01 00:00:00", "2024-01-01T00:00:00"),
        ("1700000000", "2023-11-14T22:13:20Z"),
    ];
    for (input, output) in cases {
        let t: Timestamp = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(t.to_string(), output, "{input}");
    }
    for bad in [
        "2024-08-27T11:59:60",
        "2024-08-27T24:00:00",
        "2024-08-27T11:59:58+02",
        " 2024-01-01",
        "2024-02-30",
        "",
        "2024-08-27T11:59:58.577318 +02:00",
    ] {
        assert!(
            bad.parse::<Timestamp>().is_err(),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn epoch_numbers_read_as_utc() {
    let read = |v: Value| serde_json::from_value::<Timestamp>(v).map(|t| t.to_string());
    assert_eq!(
        read(json!(1700000000.5)).unwrap(),
        "2023-11-14T22:13:20.500000Z"
    );
    assert_eq!(
        read(json!(1700000000000u64)).unwrap(),
        "2023-11-14T22:13:20Z"
    );
    assert_eq!(read(json!(-1.5)).unwrap(), "1969-12-31T23:59:58.500000Z");
    assert!(read(json!(1e20)).is_err());
    assert!(read(json!(true)).is_err());
}

#[test]
fn system_times_print_as_chrono_formats_them() {
    let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for micros in [
        0u64,
        1,
        999_999,
        500_000,
        123_456,
        2_000_000,
        86_400_000_000,
    ] {
        let t = base + Duration::from_micros(micros);
        let utc = DateTime::<Utc>::from(t);
        let expected = if micros % 1_000_000 == 0 {
            utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            utc.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        };
        assert_eq!(Timestamp::utc_at(t).to_string(), expected);
        // Twice: once filling the per-second offset cache, once using it.
        for _ in 0..2 {
            let local = DateTime::<Local>::from(t).naive_local();
            assert_eq!(Timestamp::local_at(t), Timestamp::naive(local));
        }
    }
    let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(10);
    assert_eq!(
        serde_json::to_string(&Timestamp::utc_at(before_1970)).unwrap(),
        "\"1969-12-31T23:59:50Z\""
    );
    // Times before 1970 round down to the microsecond as chrono rounds them, whether the
    // second was converted before or not.
    for nanos in [1_500_000_500, 1_000_000_001, 999, 0] {
        let t = SystemTime::UNIX_EPOCH - Duration::from_nanos(nanos);
        for _ in 0..2 {
            assert_eq!(Timestamp::utc_at(t), Timestamp::utc(t.into()));
            let local = DateTime::<Local>::from(t).naive_local();
            assert_eq!(Timestamp::local_at(t), Timestamp::naive(local));
        }
    }
    assert_eq!(
        Timestamp::utc_at(SystemTime::UNIX_EPOCH - Duration::from_nanos(1_500_000_500)).to_string(),
        "1969-12-31T23:59:58.499999Z"
    );
}

#[test]
fn a_timestamp_printed_while_another_is_written_gets_its_own_text() {
    /// A writer that prints a second timestamp each time it is written to.
    struct Nested(String);
    impl fmt::Write for Nested {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let inner: Timestamp = "2001-02-03T04:05:06.000007Z".parse().unwrap();
            write!(self.0, "{s} {inner}")
        }
    }
    let outer: Timestamp = "2024-08-27T11:59:58.577318".parse().unwrap();
    let mut nested = Nested(String::new());
    write!(nested, "{outer}").unwrap();
    assert_eq!(
        nested.0,
        "2024-08-27T11:59:58.577318 2001-02-03T04:05:06.000007Z"
    );
    assert_eq!(outer.to_string(), "2024-08-27T11:59:58.577318");
}

#[test]
fn seconds_printed_before_are_printed_again_with_their_own_fraction_and_zone() {
    let second = NaiveDate::from_ymd_opt(2024, 8, 27)
        .unwrap()
        .and_hms_opt(11, 59, 58)
        .unwrap();
    let at = |micros: u32| second.with_nanosecond(micros * 1_000).unwrap();
    let printed = [
        Timestamp::naive(at(577_318)).to_string(),
        Timestamp::utc(at(0).and_utc()).to_string(),
        Timestamp::naive(at(1)).to_string(),
        Timestamp::naive(at(1).with_day(28).unwrap()).to_string(),
        Timestamp::naive(at(1).with_year(12024).unwrap()).to_string(),
        Timestamp::naive(at(2)).to_string(),
    ];
    assert_eq!(
        printed,
        [
            "2024-08-27T11:59:58.577318",
            "2024-08-27T11:59:58Z",
            "2024-08-27T11:59:58.000001",
            "2024-08-28T11:59:58.000001",
            "12024-08-27T11:59:58.000001",
            "2024-08-27T11:59:58.000002",
        ]
    );
}

#[test]
fn local_timestamps_are_naive_and_utc_ones_end_in_z() {
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(Timestamp::local_at(t).zone(), Zone::Naive);
    assert!(!Timestamp::local_at(t).to_string().ends_with('Z'));
    assert_eq!(Timestamp::utc_at(t).to_string(), "2023-11-14T22:13:20Z");
}

#[test]
fn years_outside_four_digits_print_as_rust_pads_them() {
    let at = |year| {
        Timestamp::naive(
            NaiveDate::from_ymd_opt(year, 1, 2)
                .unwrap()
                .and_hms_micro_opt(3, 4, 5, 6)
                .unwrap(),
        )
        .to_string()
    };
    assert_eq!(at(7), "0007-01-02T03:04:05.000006");
    assert_eq!(at(-1), "-001-01-02T03:04:05.000006");
    assert_eq!(at(-4368), "-4368-01-02T03:04:05.000006");
    assert_eq!(at(12345), "12345-01-02T03:04:05.000006");
}

proptest::proptest! {
    #[test]
    fn timestamps_round_trip(
        secs in -2_000_000_000i64..4_000_000_000,
        micros in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000],
        zone in 0u8..3,
        offset_minutes in -1439i32..1440,
    ) {
        let datetime = DateTime::from_timestamp(secs, micros * 1000).unwrap().naive_utc();
        let t = match zone {
            0 => Timestamp::naive(datetime),
            1 => Timestamp::utc(datetime.and_utc()),
            _ => Timestamp::with_offset(
                FixedOffset::east_opt(offset_minutes * 60).unwrap().from_utc_datetime(&datetime),
            ),
        };
        let text = t.to_string();
        proptest::prop_assert_eq!(text.contains('.'), micros != 0);
        let back: Timestamp = text.parse().unwrap();
        proptest::prop_assert_eq!(back, t);
        proptest::prop_assert_eq!(back.to_string(), text);
    }
}
