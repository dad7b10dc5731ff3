/// A strict RFC 4180 reader for checking exports: CRLF records, quoted fields with doubled quotes.
enum CSVReader {
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)
        var index = 0
        while index < chars.count {
            let char = chars[index]
            if quoted {
                if char == "\"" {
                    if index + 1 < chars.count && chars[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                record.append(field)
                field = ""
            } else if char == "\r\n" || char == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(char)
            }
            index += 1
        }
        chars.removeAll()
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
