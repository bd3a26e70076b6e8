/**
 * Query/retrieve: the C-FIND query model ({@link dev.harmony.dicom.query.DicomQuery}, levels, keys),
 * the identifier data set ({@link dev.harmony.dicom.query.Dataset}), streamed matches
 * ({@link dev.harmony.dicom.query.QueryResults}) and the index of stored instances that answers them
 * ({@link dev.harmony.dicom.query.DicomIndex}).
 */
package dev.harmony.dicom.query;
