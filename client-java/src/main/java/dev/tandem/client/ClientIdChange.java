package dev.tandem.client;

/**
 * The server refused the op sent as ({@code previousClientId}, {@code seq}) on document {@code
 * docId} with {@link ErrorCode#SEQ_REUSED}, because another client had used that pair (by mistake,
 * or to erase this client's edit): this client's ops go under {@code clientId} from now on,
 * starting with that op, so the edit is kept.
 */
public record ClientIdChange(String previousClientId, String clientId, String docId, long seq) {}
