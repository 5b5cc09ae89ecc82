// A crate with no dependencies, built with `cargo build --offline` inside
// the network sandbox by TestCargoOfflineBuild.
fn main() {
    println!("hello from the sandbox");
}
