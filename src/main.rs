fn main() {
    println!("seedbridge");
}
