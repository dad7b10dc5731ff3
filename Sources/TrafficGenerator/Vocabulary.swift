/// Words and names for generated message text: varied like real progress messages and results,
/// not repeated filler that would flatter compression.
enum Vocabulary {
    static let words: [String] = """
        analysing fetched summarised indexed workspace document section chapter paragraph table chart \
        invoice customer order shipment warehouse region quarter revenue forecast margin budget report \
        draft review approved rejected pending retry timeout network storage cache vector embedding \
        model prompt response token context window chunk batch queue worker thread process job step \
        playbook tool chain agent channel message reply thread user account profile setting policy \
        translate classify extract detect compare merge split filter sort rank score evaluate verify \
        the a of to in for with on from by about into over after before under between through during \
        quickly carefully partially fully again still already only also then now soon later first last \
        english japanese spanish german french korean chinese portuguese italian dutch swedish polish \
        meeting notes transcript recording slide deck spreadsheet contract clause obligation deadline \
        image photo scan receipt form field value label category tag keyword sentiment topic entity \
        january february march april may june july august september october november december monday \
        alpha beta gamma delta sigma omega north south east west central pacific atlantic nordic
        """.split(separator: " ").map(String.init)

    static let models = [
        "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4", "claude-haiku-3.5", "gemini-2.0-flash", "llama-3.3-70b",
        "mistral-large", "qwen2.5-72b",
    ]
    static let playbooks = [
        "summarize_document", "daily_briefing", "translate_reply", "invoice_extraction", "meeting_minutes",
        "support_triage", "weekly_report", "content_review",
    ]
    static let tools = [
        "web_search", "pdf_reader", "calendar_lookup", "crm_update", "sheet_writer", "image_ocr", "mailer",
        "vector_query",
    ]
    static let channels = ["line", "whatsapp", "slack", "telegram", "messenger"]
    static let errorCodes = ["executor_error", "timeout", "tool_unavailable", "rate_limited", "invalid_inputs"]
    static let currencies = ["USD", "USD", "USD", "EUR", "JPY"]
}
