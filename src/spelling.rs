//! "Did you mean …?": the known name closest to a misspelt one, for the
//! course linter (`${hme}`) and the daemon.json diagnosis (`registry-mirror`).

/// The candidate within two edits of `name` (and shorter than `name`'s
/// own length in edits), the closest first; candidates whose length is
/// more than two away are not compared, so one long name costs no
/// quadratic search.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    candidates
        .into_iter()
        .filter(|k| k.chars().count().abs_diff(len) <= 2)
        .map(|k| (distance(name, k), k))
        .filter(|(d, _)| *d <= 2 && *d < len.max(1))
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_name_within_two_edits_is_suggested() {
        let known = ["home", "bash_history", "daemon_json"];
        assert_eq!(closest("hme", known), Some("home"));
        assert_eq!(closest("daemon_jsn", known), Some("daemon_json"));
        assert_eq!(closest("images_dir", known), None);
        assert_eq!(closest("x", known), None);
        assert_eq!(distance("registry-mirror", "registry-mirrors"), 1);
    }
}
