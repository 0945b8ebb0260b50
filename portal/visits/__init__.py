"""挂牌督导: the 责任督学's regular visits to their schools, the signs the schools hang at the gate."""
