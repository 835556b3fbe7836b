/* mobile.js - intentionally empty: the phone pages work without script.
 * Kept so templates can include it without a 404. */
