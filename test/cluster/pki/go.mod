module konduktor-broker/test/cluster/pki

go 1.26.0
