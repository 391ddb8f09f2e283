"""Generate assets/sample_groups.csv: 50 fictional employer groups (deterministic; run from the repo root).

Sizes are log-uniform from 40 to 40,000 employees; industries, therapies, perspectives and horizons vary;
some rows set their own wage, prevalence, uptake, price or on-site sessions. Every name is invented.
"""
import csv

import numpy as np

rng = np.random.default_rng(20240101)
industries = ["office_professional","health_care","retail","manufacturing","transportation_warehousing",
              "construction","education","public_sector","hospitality","agriculture","all_industries"]
words = {"office_professional": ["Ledger","Summit","Brightline","Keystone","Northgate","Quillfield","Atlas Advisory"],
         "health_care": ["Mercy Valley","Cedar Ridge","Harborview","Riverside","Stonebridge Clinics"],
         "retail": ["Cornerstone","Maple Street","Urban Basket","Sunny Aisle","Hometown Hardware"],
         "manufacturing": ["Ironworks","Precision Parts","Granite Tool","Delta Fabrication","Allied Castings","Foundry Nine"],
         "transportation_warehousing": ["Swift Freight","Bluewater Logistics","Prairie Haul","Crossdock","Mile Marker"],
         "construction": ["Redstone Builders","Timberline","Bedrock Contracting","Level Line Electric"],
         "education": ["Lakeside School District","Pinecrest College","Oakmont Academy","Hillcrest Unified"],
         "public_sector": ["County of Westfield","Port Authority of Bayside","City of Elmhurst","State Water Board"],
         "hospitality": ["Seaside Resorts","Copper Kettle Restaurants","Grand Meridian Hotels","Lantern Diners"],
         "agriculture": ["Golden Acres Farms","Valley Orchards","Green Furrow"],
         "all_industries": ["Mixed Holdings","Continental Services","Tri-County Staffing"]}
suffix = {"office_professional":"LLC","health_care":"Health","retail":"Stores","manufacturing":"Inc.",
          "transportation_warehousing":"Co.","construction":"Group","education":"","public_sector":"",
          "hospitality":"","agriculture":"Co-op","all_industries":"Corp."}
therapies = ["yoga", "yoga", "yoga", "tai_chi", "tai_chi", "relaxation_massage", "relaxation_massage",
             "acupuncture", "structural_massage", "mbsr", "cbt", "spinal_manipulation", "physical_therapy"]
rows = []
pool = [(ind, w) for ind in industries for w in words[ind]]
rng.shuffle(pool)
for i, (ind, w) in enumerate(pool[:50]):
    size = int(round(float(np.exp(rng.uniform(np.log(40), np.log(40000)))), -1 if i % 3 else 0))
    persp = ["self_insured"]*7 + ["fully_insured"]*3 + ["health_plan"]
    therapy = therapies[int(rng.integers(len(therapies)))]
    r = {"group_id": f"G{i+1:03d}", "name": f"{w} {suffix[ind]}".strip(), "industry": ind,
         "workforce.employees": max(size, 25),
         "workforce.hourly_wage": "" if i % 4 else f"{rng.uniform(18, 55):.2f}",
         "condition.prevalence": "" if i % 7 else f"{rng.uniform(0.06, 0.13):.3f}",
         "programs.0.therapy": therapy,
         "programs.0.price_per_session": str(int(rng.integers(55, 95))) if i % 5 == 0 and "massage" in therapy else "",
         "programs.0.uptake": "" if i % 3 else f"{rng.uniform(0.08, 0.30):.2f}",
         "programs.0.on_site": "true" if i % 6 == 0 else "",
         "analysis.perspective": persp[int(rng.integers(len(persp)))],
         "analysis.horizon_months": [12, 24, 24, 36][int(rng.integers(4))]}
    rows.append(r)
with open("assets/sample_groups.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
print(len(rows))
