//! Learner sequences, as typed, and the status lab must give each step, in
//! every variant of [`crate::scenario`] (no check midway, a check after
//! every command, a daemon restart after every command). Each wrong verdict
//! ever seen is one of these and may not come back.

use crate::scenario::{Scenario, Variant, ALL};

const TASK3_DONE: &[&str] = &[
    "docker pull tomcat",
    "docker pull tomcat:8.0",
    "docker tag tomcat:8.0 mytomcat:8.0",
    "docker images tomcat",
    "docker images tomcat -q",
    "docker image rm {id:tomcat:latest}",
    "docker image rm -f $(docker images tomcat -q)",
    "docker images tomcat",
];

#[test]
fn task3_as_the_lesson_types_it() {
    Scenario {
        name: "task3 done",
        task: "task3",
        typed: TASK3_DONE,
        expect:
            "pull-latest=pass pull-8=pass tag=pass list=pass remove-latest=pass remove-all=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task3_tagging_latest_as_mytomcat_8_0_is_not_the_tag_step() {
    Scenario {
        name: "task3 tag from latest",
        task: "task3",
        typed: &[
            "docker pull tomcat",
            "docker pull tomcat:8.0",
            "docker tag tomcat mytomcat:8.0",
            "docker images tomcat",
        ],
        expect:
            "pull-latest=pass pull-8=pass tag=fail list=pass remove-latest=fail remove-all=fail",
        variants: ALL,
        networked: false,
        hints: &[("tag", "docker tag tomcat:8.0 mytomcat:8.0")],
    }
    .run();
}

#[test]
fn task3_a_wrong_tag_stays_wrong_once_everything_is_removed() {
    Scenario {
        name: "task3 tag from latest, then all removed",
        task: "task3",
        typed: &[
            "docker pull tomcat",
            "docker pull tomcat:8.0",
            "docker tag tomcat mytomcat:8.0",
            "docker images tomcat",
            "docker image rm -f $(docker images tomcat -q)",
            "docker image rm -f $(docker images mytomcat -q)",
        ],
        expect:
            "pull-latest=pass pull-8=pass tag=fail list=pass remove-latest=fail remove-all=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task3_doing_nothing_earns_nothing() {
    Scenario {
        name: "task3 nothing",
        task: "task3",
        typed: &[],
        expect:
            "pull-latest=fail pull-8=fail tag=fail list=fail remove-latest=fail remove-all=fail",
        variants: &[Variant::Plain],
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task3_a_removal_seen_before_a_restart_stays_seen() {
    // Checked midway, then everything removed, then the VM shut down for
    // the night: lab saw tomcat:8.0 (and its id), and it is gone now.
    Scenario {
        name: "task3 checked, removed, restarted",
        task: "task3",
        typed: &[
            "docker pull tomcat",
            "docker pull tomcat:8.0",
            "docker tag tomcat:8.0 mytomcat:8.0",
            "docker images tomcat",
            "lab check task3",
            "docker image rm {id:tomcat:latest}",
            "docker image rm -f $(docker images tomcat -q)",
            "#restart",
        ],
        // Which of the two removals went first, nobody saw: that step is
        // not proven. The removal of 8.0 is: lab saw it, and it is gone.
        expect:
            "pull-latest=pass pull-8=pass tag=pass list=pass remove-latest=fail remove-all=pass",
        variants: &[Variant::Plain],
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task5_as_the_lesson_types_it() {
    Scenario {
        name: "task5 done",
        task: "task5",
        typed: &[
            "docker pull mysql:5.7",
            "docker inspect -f '{{.Config.ExposedPorts}}' mysql:5.7",
            "lab quiz task5 --answer ports=a,c --answer layers=b --answer search-filter=b --answer practices=a,b,c",
            "docker pull ubuntu:18.04",
            "docker history ubuntu:18.04",
            "docker pull ubuntu",
            "docker tag ubuntu:latest myubuntu:latest",
            "docker rmi myubuntu:latest",
            "docker search --filter=is-official=true nginx",
        ],
        expect: "pull-mysql=pass inspect=pass history=pass tag=pass untag=pass search=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task5_tagging_18_04_as_myubuntu_is_not_the_tag_step() {
    Scenario {
        name: "task5 tag from 18.04",
        task: "task5",
        typed: &[
            "docker pull ubuntu:18.04",
            "docker pull ubuntu",
            "docker tag ubuntu:18.04 myubuntu:latest",
            "docker rmi myubuntu:latest",
        ],
        expect: "pull-mysql=fail inspect=fail history=fail tag=fail untag=pass search=fail",
        variants: ALL,
        networked: false,
        hints: &[("tag", "docker tag ubuntu:latest myubuntu:latest")],
    }
    .run();
}

#[test]
fn task6_as_the_lesson_types_it() {
    Scenario {
        name: "task6 done",
        task: "task6",
        typed: &[
            "docker pull mysql:5.7",
            "mkdir -p {dir}/images",
            "docker save mysql:5.7 -o {dir}/images/mysql5.7.tar",
            "docker rmi mysql:5.7",
            "docker load -i {dir}/images/mysql5.7.tar",
            "docker images mysql",
        ],
        expect: "save=pass remove=pass load=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

const TASK7_DONE: &[&str] = &[
    "docker run ubuntu:18.04 echo 'hello! I am here!'",
    "docker ps -a",
    "docker rmi ubuntu:18.04",
    "docker rm {cid}",
    "docker rmi ubuntu:18.04",
    "docker image prune -f",
    "docker images -f dangling=true",
];

#[test]
fn task7_as_the_lesson_types_it() {
    Scenario {
        name: "task7 done",
        task: "task7",
        typed: TASK7_DONE,
        expect: "run-echo=pass refused=pass rm-container=pass prune=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task7_forcing_the_image_out_before_the_container_is_not_container_first() {
    Scenario {
        name: "task7 rmi -f first",
        task: "task7",
        typed: &[
            "docker run ubuntu:18.04 echo 'hello! I am here!'",
            "docker rmi ubuntu:18.04",
            "docker rmi -f ubuntu:18.04",
            "docker rm {cid}",
            "docker image prune -f",
        ],
        expect: "run-echo=pass refused=pass rm-container=fail prune=pass",
        variants: ALL,
        networked: false,
        hints: &[("rm-container", "Remove the container first")],
    }
    .run();
}

#[test]
fn task7_stays_green_when_task8_pulls_ubuntu_again() {
    let mut typed = TASK7_DONE.to_vec();
    typed.push("docker pull ubuntu:18.04");
    Scenario {
        name: "task7 then task8's pull",
        task: "task7",
        typed: Box::leak(typed.into_boxed_slice()),
        expect: "run-echo=pass refused=pass rm-container=pass prune=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task7_stays_green_after_a_legacy_build_leaves_intermediate_images() {
    let mut typed = TASK7_DONE.to_vec();
    typed.extend([
        "docker pull ubuntu:18.04",
        "mkdir -p {dir}/build && printf 'FROM ubuntu:18.04\\nLABEL Version=1.0\\nRUN echo python3 > /python3\\nRUN echo more > /more\\n' > {dir}/build/Dockerfile",
        "cd {dir}/build && DOCKER_BUILDKIT=0 docker build -t python:3 .",
    ]);
    Scenario {
        name: "task7 then task8's build",
        task: "task7",
        typed: Box::leak(typed.into_boxed_slice()),
        expect: "run-echo=pass refused=pass rm-container=pass prune=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

const TASK8_DONE: &[&str] = &[
    "docker pull ubuntu:18.04",
    "docker run --name c1 ubuntu:18.04 touch /test",
    "docker commit -m 'add a new file' -a 'Docker Newbee' {cid} test:01",
    "mkdir -p {dir}/build && printf 'FROM ubuntu:18.04\\nLABEL Version=1.0\\nRUN echo python3 > /python3\\n' > {dir}/build/Dockerfile",
    "cd {dir}/build && docker build -t python:3 .",
    "docker history python:3",
    "docker export -o {dir}/ubuntu-fs.tar c1",
    "docker import {dir}/ubuntu-fs.tar test:import",
    "docker history test:import",
];

#[test]
fn task8_as_the_lesson_types_it() {
    Scenario {
        name: "task8 done",
        task: "task8",
        typed: TASK8_DONE,
        expect: "change=pass commit=pass build=pass import=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task8_committing_a_container_where_nothing_was_created_is_no_change() {
    Scenario {
        name: "task8 empty commit",
        task: "task8",
        typed: &[
            "docker pull ubuntu:18.04",
            "docker run ubuntu:18.04 true",
            "docker commit -m 'add a new file' -a 'Docker Newbee' {cid} test:01",
        ],
        expect: "change=fail commit=fail build=fail import=fail",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

const TASK4_DONE: &[&str] = &[
    "docker run -d -p 80:80 --name nginx_first nginx",
    "docker ps",
    "curl -s http://localhost:80",
];

const TASK9_DONE: &[&str] = &[
    "docker run -d -p 5000:5000 --restart=always --name registry registry:2",
    "docker pull ubuntu:18.04",
    "docker tag ubuntu:18.04 localhost:5000/myubuntu:18.04",
    "docker push localhost:5000/myubuntu:18.04",
    "curl -s http://localhost:5000/v2/_catalog",
    "curl -s http://localhost:5000/v2/myubuntu/tags/list",
    "docker login -u student -p anything localhost:5000",
];

const TASK10_DONE: &[&str] = &[
    "docker pull httpd",
    "docker pull httpd:2.4",
    "docker pull httpd:2.2",
    "docker rmi httpd:latest",
    "docker rmi httpd:2.2",
    "docker run -d httpd:2.4",
    "docker run hello-world",
    "docker ps",
    "docker ps -a",
    "docker rm {cid:hello-world}",
    "echo exit | script -qec 'docker run -it centos:7 /bin/bash' /dev/null",
];

/// Tasks 3 to 10 in order, as the lessons type them, then `lab check
/// --all`: no later task turns an earlier one red.
#[test]
fn the_course_in_order_stays_green() {
    let typed: Vec<&str> = [
        TASK3_DONE,
        TASK4_DONE,
        &[
            "docker pull mysql:5.7",
            "docker inspect -f '{{.Config.ExposedPorts}}' mysql:5.7",
            "lab quiz task5 --answer ports=a,c --answer layers=b --answer search-filter=b --answer practices=a,b,c",
            "docker pull ubuntu:18.04",
            "docker history ubuntu:18.04",
            "docker pull ubuntu",
            "docker tag ubuntu:latest myubuntu:latest",
            "docker rmi myubuntu:latest",
            "docker search --filter=is-official=true nginx",
        ],
        &[
            "mkdir -p {dir}/images",
            "docker save mysql:5.7 -o {dir}/images/mysql5.7.tar",
            "docker rmi mysql:5.7",
            "docker load -i {dir}/images/mysql5.7.tar",
            "docker images mysql",
        ],
        TASK7_DONE,
        TASK8_DONE,
        TASK9_DONE,
        TASK10_DONE,
    ]
    .concat();
    Scenario {
        name: "the course in order",
        task: "--all",
        typed: Box::leak(typed.into_boxed_slice()),
        expect: "task3/*=pass task4/*=pass task5/*=pass task6/*=pass task7/*=pass task8/*=pass task9/*=pass task10/*=pass",
        variants: ALL,
        networked: true,
        hints: &[],
    }
    .run();
}

#[test]
fn task10_as_the_lesson_types_it() {
    Scenario {
        name: "task10 done",
        task: "task10",
        typed: TASK10_DONE,
        expect: "pull=pass rm-latest=pass rm-2.2=pass run=pass ps=pass rm-container=pass interactive=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task10_removing_the_container_by_name_is_not_by_id() {
    Scenario {
        name: "task10 rm by name",
        task: "task10",
        typed: &[
            "docker pull httpd",
            "docker pull httpd:2.4",
            "docker pull httpd:2.2",
            "docker rmi httpd:latest",
            "docker rmi httpd:2.2",
            "docker run -d httpd:2.4",
            "docker run --name cafe hello-world",
            "docker run --name other ubuntu:18.04 true",
            "docker rm {cid:ubuntu:18.04}",
            "docker rm cafe",
        ],
        expect: "pull=pass rm-latest=pass rm-2.2=pass run=pass ps=fail rm-container=fail interactive=fail",
        variants: ALL,
        networked: false,
        hints: &[("rm-container", "CONTAINER ID")],
    }
    .run();
}

// ------------------------------------------------ known mistakes, each at its own step

#[test]
fn task3_removing_8_0_instead_of_latest_fails_the_removal_step() {
    Scenario {
        name: "task3 removed 8.0 instead of latest",
        task: "task3",
        typed: &[
            "docker pull tomcat",
            "docker pull tomcat:8.0",
            "docker tag tomcat:8.0 mytomcat:8.0",
            "docker images tomcat",
            "docker image rm -f {id:tomcat:8.0}",
        ],
        expect:
            "pull-latest=pass pull-8=pass tag=pass list=pass remove-latest=fail remove-all=fail",
        variants: ALL,
        networked: false,
        hints: &[("remove-latest", "Only tomcat:latest was to go")],
    }
    .run();
}

#[test]
fn task4_a_container_without_the_published_port_fails_port_and_page() {
    Scenario {
        name: "task4 no -p",
        task: "task4",
        typed: &[
            "docker run -d --name nginx_first nginx",
            "curl -s http://localhost:80",
        ],
        expect: "run=pass port=fail page=fail",
        variants: ALL,
        networked: true,
        hints: &[("port", "-p 80:80")],
    }
    .run();
}

#[test]
fn task5_removing_ubuntu_latest_instead_of_myubuntu_fails_the_untag_step() {
    Scenario {
        name: "task5 removed ubuntu:latest",
        task: "task5",
        typed: &[
            "docker pull ubuntu",
            "docker tag ubuntu:latest myubuntu:latest",
            "docker rmi ubuntu:latest",
        ],
        expect: "pull-mysql=fail inspect=fail history=fail tag=pass untag=fail search=fail",
        variants: ALL,
        networked: false,
        hints: &[("untag", "docker pull ubuntu")],
    }
    .run();
}

#[test]
fn task6_removing_before_saving_fails_the_removal_step() {
    Scenario {
        name: "task6 removed before saving",
        task: "task6",
        typed: &[
            "docker pull mysql:5.7",
            "docker rmi mysql:5.7",
            "docker pull mysql:5.7",
            "mkdir -p {dir}/images",
            "docker save mysql:5.7 -o {dir}/images/mysql5.7.tar",
        ],
        expect: "save=pass remove=fail load=fail",
        variants: ALL,
        networked: false,
        hints: &[("remove", "Save before you remove")],
    }
    .run();
}

#[test]
fn task10_removing_2_4_instead_of_latest_fails_its_step() {
    Scenario {
        name: "task10 removed 2.4",
        task: "task10",
        typed: &[
            "docker pull httpd",
            "docker pull httpd:2.4",
            "docker pull httpd:2.2",
            "docker rmi httpd:2.4",
        ],
        expect: "pull=pass rm-latest=fail rm-2.2=fail run=fail ps=fail rm-container=fail interactive=fail",
        variants: ALL,
        networked: false,
        hints: &[("rm-latest", "docker pull httpd:2.4")],
    }
    .run();
}

// ------------------------------------------------ tasks 1, 2 and 11

#[test]
fn task1_the_quiz_answered_right() {
    let answers: Vec<String> = crate::quiz::right_answers()
        .iter()
        .map(|a| format!("--answer \"{a}\""))
        .collect();
    let line = format!("lab quiz task1 {}", answers.join(" "));
    Scenario {
        name: "task1 quiz",
        task: "task1",
        typed: Box::leak(vec![&*Box::leak(line.into_boxed_str())].into_boxed_slice()),
        expect: "quiz=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task2_on_a_machine_with_docker_and_a_mirror() {
    // The test bed's daemon already runs with the registry as its mirror
    // (installing packages and editing /etc/docker are not played here).
    Scenario {
        name: "task2 done",
        task: "task2",
        typed: &[
            "ufw allow ssh",
            "ufw enable",
            "docker --version",
            "docker info",
            "docker run hello-world",
            "systemctl status docker",
        ],
        expect: "ssh=pass firewall=pass install=pass daemon=pass mirror-config=pass mirror-loaded=pass hello-world=pass read-status=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task11_the_quiz_answered_from_your_own_daemon() {
    // Every test bed daemon is the same dockerd with the same mirror.
    let d = crate::bed::Daemon::start();
    let out = |args: &[&str]| {
        String::from_utf8_lossy(&d.docker(args).stdout)
            .trim()
            .to_string()
    };
    let line = format!(
        "lab quiz task11 --answer driver={} --answer server-version={} --answer api-version={} --answer mirror={} --answer images=1",
        out(&["info", "--format", "{{.Driver}}"]),
        out(&["version", "--format", "{{.Server.Version}}"]),
        out(&["version", "--format", "{{.Server.APIVersion}}"]),
        out(&["info", "--format", "{{index .RegistryConfig.Mirrors 0}}"]),
    );
    drop(d);
    Scenario {
        name: "task11 quiz",
        task: "task11",
        typed: Box::leak(
            vec![
                "docker pull tomcat",
                "docker version",
                "docker info",
                &*Box::leak(line.into_boxed_str()),
            ]
            .into_boxed_slice(),
        ),
        expect: "quiz=pass",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task7_a_removal_that_was_never_refused_is_not_the_refusal_step() {
    Scenario {
        name: "task7 never refused",
        task: "task7",
        typed: &[
            "docker run ubuntu:18.04 echo 'hello! I am here!'",
            "docker rm {cid}",
            "docker rmi ubuntu:18.04",
            "docker image prune -f",
        ],
        expect: "run-echo=pass refused=fail rm-container=pass prune=pass",
        variants: ALL,
        networked: false,
        hints: &[("refused", "While the exited container exists")],
    }
    .run();
}

#[test]
fn task5_docker_history_before_the_pull_does_not_count() {
    Scenario {
        name: "task5 history before pull",
        task: "task5",
        typed: &["docker history ubuntu:18.04", "docker pull ubuntu:18.04"],
        expect: "pull-mysql=fail inspect=fail history=fail tag=fail untag=fail search=fail",
        variants: ALL,
        networked: false,
        hints: &[("history", "Pull the image first")],
    }
    .run();
}

// ------------------------------------------------ issue 13: every exercise of the sources

#[test]
fn task2_enabling_the_firewall_before_allowing_ssh_is_not_the_firewall_step() {
    // On a remote machine this order cuts the session off.
    Scenario {
        name: "task2 ufw enable first",
        task: "task2",
        typed: &["ufw enable", "ufw allow ssh", "docker version"],
        expect: "ssh=pass firewall=fail install=pass daemon=pass mirror-config=pass mirror-loaded=pass hello-world=fail read-status=fail",
        variants: ALL,
        networked: false,
        hints: &[
            ("firewall", "after allowing SSH"),
            ("read-status", "docker --version"),
        ],
    }
    .run();
}

#[test]
fn task2_ufw_files_show_the_firewall_without_any_history() {
    // What `ufw allow ssh` and `ufw enable` leave in /etc/ufw, as root
    // reads it; nothing typed names ufw.
    Scenario {
        name: "task2 ufw files",
        task: "task2",
        typed: &[
            "mkdir -p {dir}/ufw",
            "printf 'ENABLED=yes\\nLOGLEVEL=low\\n' > {dir}/ufw/ufw.conf",
            "printf '### tuple ### allow any 22 0.0.0.0/0 any 0.0.0.0/0 in\\n-A ufw-user-input -p tcp --dport 22 -j ACCEPT\\n' > {dir}/ufw/user.rules",
        ],
        expect: "ssh=pass firewall=pass install=pass daemon=pass mirror-config=pass mirror-loaded=pass hello-world=fail read-status=fail",
        variants: ALL,
        networked: false,
        hints: &[],
    }
    .run();
}

#[test]
fn task5_searching_without_a_filter_is_not_the_search_step() {
    Scenario {
        name: "task5 search without filter",
        task: "task5",
        typed: &["docker search nginx"],
        expect: "pull-mysql=fail inspect=fail history=fail tag=fail untag=fail search=fail",
        variants: &[Variant::Plain],
        networked: false,
        hints: &[("search", "--filter=is-official=true")],
    }
    .run();
}

#[test]
fn task8_a_commit_is_not_an_import() {
    let mut typed = TASK8_DONE[..TASK8_DONE.len() - 3].to_vec();
    typed.extend(["docker commit c1 test:import"]);
    Scenario {
        name: "task8 commit as import",
        task: "task8",
        typed: Box::leak(typed.into_boxed_slice()),
        expect: "change=pass commit=pass build=pass import=fail",
        variants: ALL,
        networked: false,
        hints: &[("import", "docker import ubuntu-fs.tar test:import")],
    }
    .run();
}

#[test]
fn task9_as_the_lesson_types_it() {
    Scenario {
        name: "task9 done",
        task: "task9",
        typed: TASK9_DONE,
        expect: "run-registry=pass tag=pass push=pass login=pass",
        variants: ALL,
        networked: true,
        hints: &[],
    }
    .run();
}

#[test]
fn task9_logging_in_to_docker_hub_is_not_the_classroom_registry() {
    // Docker Hub is out of reach here, as in many classrooms: the login
    // fails, and it names no local registry anyway.
    let typed: Vec<&str> = TASK9_DONE
        .iter()
        .map(|l| {
            if l.starts_with("docker login") {
                "docker login -u student -p anything"
            } else {
                l
            }
        })
        .collect();
    Scenario {
        name: "task9 login to Docker Hub",
        task: "task9",
        typed: Box::leak(typed.into_boxed_slice()),
        expect: "run-registry=pass tag=pass push=pass login=fail",
        variants: &[Variant::Plain],
        networked: true,
        hints: &[("login", "docker login localhost:5000")],
    }
    .run();
}

#[test]
fn task10_a_shell_without_it_is_not_the_interactive_step() {
    // `docker run centos:7 /bin/bash`: bash reads no input and exits at
    // once; the container has neither a terminal nor open input.
    Scenario {
        name: "task10 run without -it",
        task: "task10",
        typed: &["docker run centos:7 /bin/bash", "docker ps -a"],
        expect: "pull=fail rm-latest=fail rm-2.2=fail run=fail ps=fail rm-container=fail interactive=fail",
        variants: ALL,
        networked: false,
        hints: &[("interactive", "docker run -it centos:7 /bin/bash")],
    }
    .run();
}
