//! The bed's own smoke tests: pull, run, restart, private and concurrent
//! daemons, networking.

use super::*;

#[test]
fn smoke_pull_run_restart() {
    let t = Instant::now();
    let mut d = Daemon::start();
    eprintln!("Daemon::start took {:?}", t.elapsed());
    d.docker(&["pull", "tomcat"]);
    d.docker(&["pull", "tomcat:8.0"]);
    let latest = d.image_id("tomcat:latest");
    let old = d.image_id("tomcat:8.0");
    assert!(
        latest.starts_with("sha256:") && old.starts_with("sha256:"),
        "{latest} {old}"
    );
    assert_ne!(
        latest, old,
        "tomcat:latest and tomcat:8.0 must be different images"
    );

    let out = d.docker(&["run", "--rm", "hello-world"]);
    let greeting = String::from_utf8_lossy(&out.stdout);
    assert!(greeting.contains("Hello from Docker!"), "{greeting}");
    assert_eq!(greeting, HELLO_WORLD_OUTPUT);

    let out = d.docker(&["run", "--rm", "tomcat:8.0"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "tomcat stand-in 8.0"
    );

    // A learner's one-liner, through bash.
    d.sh("docker image rm -f $(docker images tomcat -q)");
    let left = d.docker(&["images", "tomcat", "-q"]);
    assert!(
        left.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&left.stdout)
    );

    let before = d.events();
    assert!(
        before.contains("image pull tomcat:8.0"),
        "events before restart:\n{before}"
    );
    assert!(
        before.contains("container die "),
        "events before restart:\n{before}"
    );

    let t = Instant::now();
    d.restart();
    eprintln!("Daemon::restart took {:?}", t.elapsed());
    let after = d.events();
    assert_eq!(after, "", "a restarted daemon has an empty event buffer");
    assert_eq!(
        d.image_id("hello-world"),
        d.image_id("hello-world:latest"),
        "images survive a restart"
    );
    d.docker(&["run", "-d", "ubuntu", "sleep", "1000"]); // ignores SIGTERM: drop must not wait for it
    let t = Instant::now();
    drop(d);
    eprintln!("Daemon drop took {:?}", t.elapsed());
}

#[test]
fn smoke_daemons_are_private_and_concurrent() {
    let started = Instant::now();
    let handles: Vec<_> = (0..3).map(|_| std::thread::spawn(Daemon::start)).collect();
    let daemons: Vec<Daemon> = handles
        .into_iter()
        .map(|h| h.join().expect("daemon start"))
        .collect();
    eprintln!("3 daemons started concurrently in {:?}", started.elapsed());
    daemons[0].docker(&["pull", "busybox"]);
    daemons[1].docker(&["run", "--name", "web", "-d", "nginx"]);
    let page = daemons[1].docker(&["exec", "web", "wget", "-qO-", "http://127.0.0.1/"]);
    assert!(String::from_utf8_lossy(&page.stdout).contains("<title>Welcome to nginx!</title>"));
    for (i, d) in daemons.iter().enumerate() {
        let images = String::from_utf8_lossy(&d.docker(&["images", "-q"]).stdout)
            .lines()
            .count();
        assert_eq!(images, [1, 1, 0][i], "daemon {i} sees only its own images");
        let ev = d.events();
        assert_eq!(
            ev.is_empty(),
            i == 2,
            "daemon {i} sees only its own events:\n{ev}"
        );
    }
    let ps = daemons[0].docker(&["ps", "-aq"]);
    assert!(
        ps.stdout.is_empty(),
        "daemon 0 sees no container of daemon 1"
    );
    // Dropping them (with nginx still running) must leave nothing behind.
    let roots: Vec<PathBuf> = daemons.iter().map(|d| d.root.clone()).collect();
    drop(daemons);
    for r in roots {
        assert!(!r.exists(), "{} removed", r.display());
        assert!(
            mounts_under(&r).is_empty(),
            "nothing mounted under {}",
            r.display()
        );
    }
}

#[test]
fn smoke_stop_and_start_again() {
    let mut d = Daemon::start();
    d.docker(&[
        "run",
        "-d",
        "--name",
        "db",
        "-e",
        "MYSQL_ROOT_PASSWORD=secret",
        "mysql:5.7",
    ]);
    d.stop();
    assert!(!d.socket().exists(), "socket removed after stop()");
    let out = d.docker_may_fail(&["version"]);
    assert!(!out.status.success(), "no daemon answers after stop()");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Cannot connect to the Docker daemon"),
        "{}",
        show(&out)
    );
    d.start_again();
    let ps = d.docker(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(
        String::from_utf8_lossy(&ps.stdout).starts_with("db Exited (0)"),
        "{}",
        show(&ps)
    );
}

#[test]
fn smoke_networked_nginx_and_registry() {
    let t = Instant::now();
    let d = Daemon::start_networked();
    eprintln!("Daemon::start_networked took {:?}", t.elapsed());
    assert!(d.is_networked() && net_bridge_exists());

    // Task 4: nginx published on host port 80.
    d.docker(&["run", "-d", "-p", "80:80", "--name", "nginx_first", "nginx"]);
    let page = http_get_until("localhost:80", "/", 200, Duration::from_secs(10));
    assert!(page.contains("Welcome to nginx!"), "{page}");
    let ps = d.docker(&["ps", "--format", "{{.Names}} {{.Ports}}"]);
    assert!(
        String::from_utf8_lossy(&ps.stdout).contains("nginx_first 127.0.0.1:80->80/tcp"),
        "{}",
        show(&ps)
    );

    // Task 9: the learner's own registry on host port 5000.
    let t = Instant::now();
    d.docker(&[
        "run",
        "-d",
        "-p",
        "5000:5000",
        "--name",
        "registry",
        "registry:2",
    ]);
    http_get_until("localhost:5000", "/v2/", 200, Duration::from_secs(10));
    d.docker(&["pull", "ubuntu:18.04"]);
    d.docker(&["tag", "ubuntu:18.04", "localhost:5000/myubuntu:18.04"]);
    d.docker(&["push", "localhost:5000/myubuntu:18.04"]);
    let catalog = http_get_until(
        "localhost:5000",
        "/v2/_catalog",
        200,
        Duration::from_secs(5),
    );
    assert!(catalog.contains("\"myubuntu\""), "{catalog}");
    eprintln!("registry run + push took {:?}", t.elapsed());
    let ev = d.events();
    assert!(
        ev.contains("image push localhost:5000/myubuntu:18.04"),
        "{ev}"
    );

    // Nothing a container sends is routed off this machine.
    let route = Command::new("ip")
        .args([
            "route",
            "get",
            "192.0.2.1",
            "from",
            "10.213.0.2",
            "iif",
            NET_BRIDGE,
        ])
        .output()
        .expect("ip route get");
    assert!(!route.status.success(), "{route:?}");

    let t = Instant::now();
    drop(d);
    eprintln!("networked Daemon drop took {:?}", t.elapsed());
    // Take the lock ourselves, so no other test's networked daemon is in the way.
    let _lock = NetLock::acquire();
    assert!(!net_bridge_exists(), "bridge {NET_BRIDGE} deleted on drop");
    assert!(net_proxies().is_empty(), "no docker-proxy left");
    assert!(
        http_get("localhost:80", "/").is_none(),
        "nothing listens on port 80 any more"
    );
}

#[test]
fn smoke_networked_daemons_take_turns() {
    let first = Daemon::start_networked();
    let (tx, rx) = std::sync::mpsc::channel();
    let second = std::thread::spawn(move || {
        let d = Daemon::start_networked();
        let _ = tx.send(());
        d
    });
    assert!(
        rx.recv_timeout(Duration::from_secs(3)).is_err(),
        "a second networked daemon must wait for the first"
    );
    first.docker(&["run", "-d", "-p", "80:80", "nginx"]);
    drop(first);
    let second = second.join().expect("second networked daemon");
    second.docker(&["run", "-d", "-p", "80:80", "nginx"]);
    let page = http_get_until("localhost:80", "/", 200, Duration::from_secs(10));
    assert!(page.contains("Welcome to nginx!"), "{page}");
}
