use super::*;
use crate::state;
use serde_json::json;

#[test]
fn immutability_and_sharing() {
    let a = State::new().append("l", 1);
    let b = a.append("l", 2);
    assert_eq!(a.get::<Vec<i32>>("l").unwrap(), vec![1]);
    assert_eq!(b.get::<Vec<i32>>("l").unwrap(), vec![1, 2]);
}

#[test]
fn append_shares_the_list_with_older_states() {
    let a = State::new().append("l", "x".repeat(200)).append("l", "y");
    let b = a.append("l", "z");
    let (Some(Field::List(la)), Some(Field::List(lb))) = (
        a.map.get("l").map(|e| e.field.clone()),
        b.map.get("l").map(|e| e.field.clone()),
    ) else {
        panic!("lists are kept as persistent vectors");
    };
    assert_eq!((la.len(), lb.len()), (2, 3));
    // The older items are the same allocations in both states: nothing was copied.
    for (x, y) in la.iter().zip(lb.iter()) {
        assert!(Arc::ptr_eq(x, y));
    }
}

#[test]
fn append_to_json_array_and_string() {
    let s = State::new().update("l", json!([1]));
    assert_eq!(s.append("l", 2).to_json(), json!({"l": [1, 2]}));
    let err = State::new()
        .update("s", "abc")
        .try_append("s", 1)
        .unwrap_err();
    assert!(err.to_string().contains("non-appendable"), "{err}");
    let err = State::new()
        .update("s", "abc")
        .extend("s", [1])
        .unwrap_err();
    assert!(err.to_string().contains("non-extendable"), "{err}");
}

#[test]
fn increment_rules() {
    let s = State::new().update("foo", 1);
    let s = s.increment("foo", 2).unwrap().increment("bar", 5).unwrap();
    assert_eq!(s.to_json(), json!({"foo": 3, "bar": 5}));
    let err = State::new()
        .update("foo", "x")
        .increment("foo", 1)
        .unwrap_err();
    assert!(err.to_string().contains("non-integer"));
}

#[test]
fn missing_key_lists_user_keys_only() {
    let s = State::new().update("a", 1).with_sequence_id(0);
    let err = s.get::<i32>("b").unwrap_err().to_string();
    assert!(
        err.contains("`b`") && err.contains("a") && !err.contains("__SEQUENCE_ID"),
        "{err}"
    );
}

#[test]
fn runtime_keys_round_trip() {
    let j = json!({"x": 1, "__SEQUENCE_ID": 3, "__PRIOR_STEP": "act"});
    let s = State::from_json(j.clone()).unwrap();
    assert_eq!(s.sequence_id(), Some(3));
    assert_eq!(s.prior_step(), Some("act"));
    assert_eq!(s.to_json(), j);
    assert_eq!(serde_json::to_value(&s).unwrap(), j);
    let back: State = serde_json::from_value(j.clone()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn merge_wipe_subset() {
    let s = State::new().update("a", 1).update("b", 2).update("c", 3);
    assert_eq!(s.wipe_delete(["b", "zz"]).keys(), vec!["a", "c"]);
    assert_eq!(s.wipe_keep(["b"]).keys(), vec!["b"]);
    assert_eq!(s.subset(["c", "a"]).to_json(), json!({"a": 1, "c": 3}));
    let o = State::new().update("b", 20).update("d", 4);
    assert_eq!(
        s.merge(&o).to_json(),
        json!({"a": 1, "b": 20, "c": 3, "d": 4})
    );
}

#[test]
fn view_reports_undeclared_read() {
    let s = State::new().update("a", 1).update("b", 2);
    let info = Arc::new(ViewInfo::new(
        "act".into(),
        vec!["a".to_string()],
        vec!["c".to_string()],
    ));
    let v = s.view_for(&info);
    assert_eq!(v.get::<i32>("a").unwrap(), 1);
    let err = v.get::<i32>("b").unwrap_err().to_string();
    assert!(
        err.contains("act") && err.contains("`b`") && err.contains("a"),
        "{err}"
    );
    assert_eq!(v.keys(), vec!["a"]);
    let w = v.update("c", 3);
    assert_eq!(w.keys(), vec!["a", "c"]);
    assert_eq!(w.write_violations(), (vec![], vec![]));
    let (undeclared, _) = w.update("zz", 1).write_violations();
    assert_eq!(undeclared, vec!["zz"]);
    let mut w = w;
    w.leave_view();
    assert_eq!(w.keys(), vec!["a", "b", "c"]);
}

#[test]
fn state_macro() {
    let s = state! { count: 0, "k": [1, 2] };
    assert_eq!(s.to_json(), json!({"count": 0, "k": [1, 2]}));
}

/// A small map is copied into a recycled node when one is at hand: the states that share
/// or replaced it still read their own values, and a dropped state's values are released.
#[test]
fn recycled_small_maps_keep_every_state_intact() {
    let mut kept = Vec::new();
    let mut s = State::new().update("n", 0).update("tag", "x");
    for i in 1..=50_i64 {
        let next = s.update("n", i);
        if i % 7 == 0 {
            kept.push((i - 1, s.clone()));
        }
        s = next;
    }
    assert_eq!(s.get::<i64>("n").unwrap(), 50);
    for (n, state) in &kept {
        assert_eq!(state.get::<i64>("n").unwrap(), *n);
        assert_eq!(state.get::<String>("tag").unwrap(), "x");
    }
    // A value held only by dropped states is freed with them, not kept by the spare node.
    let holder = State::new()
        .update("n", 1)
        .update("v", serde_json::json!({"big": [1, 2]}));
    let copy = holder.update("n", 2);
    let Some(Field::Value(value)) = copy.map.get("v").map(|e| e.field.clone()) else {
        panic!("an object is stored behind an Arc");
    };
    let weak = Arc::downgrade(&value);
    drop((value, holder, copy));
    assert!(weak.upgrade().is_none());
}

/// A recycled node keeps the keys of the state it held: a copy over it with other keys, or
/// fewer, or the same keys in another place, has exactly its own entries.
#[test]
fn recycled_nodes_take_the_keys_of_the_copy() {
    for keys in [
        &["a", "b", "c"][..],
        &["x"],
        &["c", "a"],
        &["a", "z", "b", "q"],
    ] {
        // A dropped state with three keys leaves its node (and keys) as the spare.
        let dropped = State::new().update("a", 1).update("b", 2).update("c", 3);
        let copy = dropped.update("a", 10);
        drop((dropped, copy));
        let mut s = State::new();
        for (i, k) in keys.iter().enumerate() {
            s = s.update(k, i);
        }
        let next = s.update(keys[0], 100);
        assert_eq!(next.keys(), keys.to_vec());
        assert_eq!(next.get::<i64>(keys[0]).unwrap(), 100);
        for (i, k) in keys.iter().enumerate().skip(1) {
            assert_eq!(next.get::<usize>(k).unwrap(), i);
        }
        assert_eq!(s.get::<usize>(keys[0]).unwrap(), 0);
    }
}

/// A step's output (its result map and its state) must stay within what moves without a
/// call to `memcpy` (128 bytes on x86-64): the state is seven words.
#[cfg(target_pointer_width = "64")]
#[test]
fn a_state_is_seven_words() {
    assert_eq!(std::mem::size_of::<State>(), 56);
}

/// Keys come out in insertion order whatever order a subset or a merge put them in.
#[test]
fn keys_keep_insertion_order_through_subset_and_merge() {
    let s = State::new().update("a", 1).update("b", 2).update("c", 3);
    assert_eq!(s.subset(["c", "a"]).keys(), vec!["a", "c"]);
    assert_eq!(s.subset(["c", "a"]).to_json(), json!({"a": 1, "c": 3}));
    let t = s.subset(["c", "a"]).update("d", 4).update("b", 5);
    assert_eq!(t.keys(), vec!["a", "c", "d", "b"]);
    let merged = State::new().update("z", 0).merge(&s.subset(["c", "b"]));
    assert_eq!(merged.keys(), vec!["z", "b", "c"]);
    let big: State = (0..40).rev().map(|i| (format!("k{i}"), i)).collect();
    let keys: Vec<String> = (0..40).rev().map(|i| format!("k{i}")).collect();
    assert_eq!(big.keys(), keys);
    assert_eq!(
        serde_json::to_string(&big.subset(["k3", "k39"])).unwrap(),
        r#"{"k39":39,"k3":3}"#
    );
}
