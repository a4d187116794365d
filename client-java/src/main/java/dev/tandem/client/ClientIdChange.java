package dev.tandem.client;

/**
 * Another client used this client's id {@code previousClientId} with {@code seq} on document {@code
 * docId}, by mistake or to erase this client's edit: the server refused this client's op sent under
 * that pair with {@link ErrorCode#SEQ_REUSED}, or committed the other client's op under it. This
 * client's ops go under {@code clientId} from now on, starting with any op of it that was refused,
 * so the edit is kept.
 */
public record ClientIdChange(String previousClientId, String clientId, String docId, long seq) {}
