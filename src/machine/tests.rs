//! A VM made from what its login answered, for the unit tests of machine/.

use super::ports::{parse_listeners, parse_ss};
use super::remote::Remote;
use super::*;

/// A VM whose login answered `runs` and `files`; nothing else is
/// reachable (the Docker socket does not exist).
pub(crate) fn vm(runs: Vec<(&[&str], login::Ran)>, files: Vec<(&str, &str)>) -> Machine {
    let runs = runs
        .into_iter()
        .map(|(argv, ran)| (argv.iter().map(|a| a.to_string()).collect(), ran))
        .collect();
    let files = files
        .into_iter()
        .map(|(path, text)| {
            let info = FileInfo {
                kind: FileKind::File,
                mode: 0o444,
                len: 0,
            };
            let bytes = Some(text.as_bytes().to_vec());
            (path.to_string(), login::Prefetched::Present { info, bytes })
        })
        .collect();
    let remote = Remote {
        ssh: Arc::new(Ssh::offline("vm.invalid")),
        timeout: 1,
        systemd: true,
        state: "/home/s/.local/state".into(),
        files,
        runs,
        _tunnel: None,
    };
    Machine::on(
        Box::new(remote),
        DockerView::labelled("unix:///nonexistent".into(), "vm".into(), 0, 1),
    )
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    crate::run::runtime().unwrap().block_on(f)
}

#[test]
fn a_vm_lists_its_listeners_with_ss_or_else_its_socket_tables() {
    let ss_out = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n\
                  LISTEN 0 128 0.0.0.0:2222 0.0.0.0:*\n";
    let table = "  sl  local_address rem_address   st\n   0: 00000000:0016 00000000:0000 0A\n";
    // ss answered at login: the tables are not needed.
    let with_ss = vm(vec![(LISTENERS, (Some(0), ss_out.into()))], vec![]);
    assert_eq!(
        block_on(with_ss.listening_ports()).unwrap().unwrap().ports,
        vec![2222]
    );
    // No ss on the VM (127): the tables, as read at login.
    let tables = vec![("/proc/net/tcp", table), ("/proc/net/tcp6", "")];
    let without = vm(vec![(LISTENERS, (Some(127), Vec::new()))], tables);
    assert_eq!(
        block_on(without.listening_ports()).unwrap().unwrap().ports,
        vec![22]
    );
}

#[test]
fn listeners_are_read_from_ss() {
    let out = "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n\
               LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\n\
               LISTEN 0      128          0.0.0.0:22        0.0.0.0:*\n\
               ESTAB  0      0          10.0.0.2:22      10.0.0.1:5000\n\
               LISTEN 0      128             [::]:22           [::]:*\n\
               LISTEN 0      511                *:80              *:*\n";
    assert_eq!(parse_ss(out), vec![22, 53, 80]);
    assert!(parse_ss("").is_empty());
}

#[test]
fn listeners_are_read_from_proc_net_tcp() {
    let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n";
    assert_eq!(parse_listeners(table).collect::<Vec<_>>(), vec![22]);
}

#[test]
fn remote_stat_is_read_from_raw_mode() {
    let file = parse_stat("81a4 42\n").unwrap();
    assert_eq!(
        (file.kind, file.mode, file.len),
        (FileKind::File, 0o644, 42)
    );
    let dir = parse_stat("41ed 4096").unwrap();
    assert_eq!((dir.kind, dir.mode), (FileKind::Folder, 0o755));
    assert_eq!(parse_stat("11a4 0").unwrap().kind, FileKind::Fifo);
    assert_eq!(parse_stat("stat: cannot"), None);
}
