//! What a teacher should do about a VM that could not be observed while
//! grading: the machine layer says what went wrong (`ObserveError`), and
//! only `lab grade` knows how a VM is graded again.

use crate::lang::Lang;
use crate::machine::ObserveError;
use crate::tr;

/// The advice a graded VM's errors get ([`crate::machine::Machine::with_advice`]);
/// `None` keeps the machine's own.
pub(super) fn for_vm(e: &ObserveError, lang: Lang) -> Option<String> {
    match e {
        ObserveError::Remote { .. } => Some(tr!(lang,
            "Check that the VM is up and that `ssh` to it works, then grade it again (`lab grade --retry-failed`).",
            "确认虚拟机正在运行、可以用 `ssh` 登录，然后重新评分（`lab grade --retry-failed`）。")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_that_ssh_cannot_reach_is_graded_again_with_retry_failed() {
        let e = ObserveError::Remote {
            op: "read /etc/docker/daemon.json".into(),
            host: "ssh://s@vm".into(),
            message: "Connection closed".into(),
        };
        for lang in [Lang::En, Lang::ZhCn] {
            let said = for_vm(&e, lang).expect("advice for a VM");
            assert!(said.contains("`lab grade --retry-failed`"), "{said}");
        }
        assert!(
            !e.advice(Lang::En, true).contains("retry-failed"),
            "the machine layer does not know how grading is redone"
        );
        let io = ObserveError::Io {
            op: "read",
            path: "/x".into(),
            message: "Permission denied".into(),
        };
        assert_eq!(for_vm(&io, Lang::En), None);
    }
}
