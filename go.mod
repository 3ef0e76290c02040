module microlab

go 1.26
