package dev.harmony.transform.middleware;

/** Which message of an exchange a JSON stage works on. */
enum Side {
    REQUEST("request"),
    RESPONSE("response");

    private final String word;

    Side(String word) {
        this.word = word;
    }

    @Override
    public String toString() {
        return word;
    }
}
