"""The table side of segmentation: RFM, clustering, rule segments, profiles and validation.

Modules are imported on demand (pandas and scikit-learn are slow to import), so
``import agent.quant`` stays cheap. Entry points:

- :func:`agent.quant.tables.load_transactions`, :func:`agent.quant.tables.load_customers`
- :func:`agent.quant.rfm.compute_rfm`, :func:`agent.quant.rfm.rfm_from_file`
- :func:`agent.quant.cluster.cluster_customers`
- :func:`agent.quant.rules.apply_rules`
- :func:`agent.quant.profile.build_segmentation` (DataFrame + ``SegmentConfig`` -> ``Segmentation``)
- :func:`agent.quant.profile.segmentation_from_rfm`
- :func:`agent.quant.profile.assign`
- :func:`agent.quant.validate.validate_segmentation`
"""
