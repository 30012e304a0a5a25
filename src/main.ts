export async function main(): Promise<void> {
  // Filled in by the foundation work (config → store → registry → listeners).
}
