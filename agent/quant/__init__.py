"""The table side of segmentation: RFM, clustering, rule segments, profiles and validation.

Modules are imported on demand (pandas and scikit-learn are slow to import), so
``import segscribe.quant`` stays cheap. Entry points:

- :func:`segscribe.quant.tables.load_transactions`, :func:`segscribe.quant.tables.load_customers`
- :func:`segscribe.quant.rfm.compute_rfm`, :func:`segscribe.quant.rfm.rfm_from_file`
- :func:`segscribe.quant.cluster.cluster_customers`
- :func:`segscribe.quant.rules.apply_rules`
- :func:`segscribe.quant.profile.build_segmentation` (DataFrame + ``SegmentConfig`` -> ``Segmentation``)
- :func:`segscribe.quant.profile.segmentation_from_rfm`
- :func:`segscribe.quant.profile.assign`
- :func:`segscribe.quant.validate.validate_segmentation`
"""
