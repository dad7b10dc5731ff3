import Testing

@Test func placeholderSQLiteDBTests() { #expect(Bool(true)) }
