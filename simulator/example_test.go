package simulator_test

import (
	"fmt"
	"time"

	"microlab/simulator"
)

// Build the default shop, kill an instance, and watch the registry and the gateway
// catch up with the truth.
func Example() {
	cfg := simulator.DefaultConfig()
	cfg.Seed = 42
	sim, err := simulator.New(cfg)
	if err != nil {
		panic(err)
	}
	cmd, err := simulator.DecodeCommand([]byte(`{"type":"kill","target":"catalog-2"}`))
	if err != nil {
		panic(err)
	}
	if err := sim.Apply(10500*time.Millisecond, cmd); err != nil {
		panic(err)
	}
	for _, at := range []time.Duration{12 * time.Second, 13500 * time.Millisecond, 14 * time.Second} {
		sim.RunUntil(at)
		d := sim.Snapshot().Registry.Services[0]
		fmt.Printf("%v alive=%v registry=%v gateway=%v\n", at, d.Alive, d.Registered, d.Gateway)
	}
	for _, e := range sim.Events(0) {
		if e.Kind == "evict" {
			fmt.Printf("%.0f ms %s\n", e.AtMS, e.Message)
		}
	}
	// Output:
	// 12s alive=[catalog-1 catalog-3] registry=[catalog-1 catalog-2 catalog-3] gateway=[catalog-1 catalog-2 catalog-3]
	// 13.5s alive=[catalog-1 catalog-3] registry=[catalog-1 catalog-3] gateway=[catalog-1 catalog-2 catalog-3]
	// 14s alive=[catalog-1 catalog-3] registry=[catalog-1 catalog-3] gateway=[catalog-1 catalog-3]
	// 13000 ms registry evicted catalog-2: no heartbeat for 3s
}

// A lab's timeline reads as sentences: each command says what it does.
func ExampleCommand_Describe() {
	for _, in := range []string{
		`{"type":"latency","service":"payment","ms":2000,"jitter_ms":100}`,
		`{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
		`{"type":"registry-down"}`,
	} {
		cmd, err := simulator.DecodeCommand([]byte(in))
		if err != nil {
			panic(err)
		}
		fmt.Println(cmd.Describe())
	}
	// Output:
	// payment takes 2000 ms longer (± 100 ms)
	// breaker on orders→payment: forced-open
	// take the registry down
}
