package demo

import (
	"math/rand/v2"

	"github.com/industrybrain/ibrain/internal/enterprise"
)

// Synthetic personal data of the registry: every firm's legal
// representative and contact person with a mobile number. The names are
// drawn from common surnames and given-name characters, the numbers from
// the mainland mobile prefixes; none is a real person's.
var (
	contactSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "谭", "冉"}
	contactGiven    = []string{"建", "国", "华", "明", "丽", "伟", "芳", "军", "敏", "静", "强", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "霞", "平", "刚", "林", "红", "波"}
	mobilePrefixes  = []string{"135", "136", "138", "139", "150", "151", "158", "177", "180", "186", "187", "189", "199"}
)

func personName(r *rand.Rand) string {
	n := contactSurnames[r.IntN(len(contactSurnames))]
	for range 1 + r.IntN(2) {
		n += contactGiven[r.IntN(len(contactGiven))]
	}
	return n
}

// contacts gives every stored firm (ids in ds.firms order) a legal
// representative and a contact person, the same for the same seed.
func (ds *dataset) contacts(ids []int64) []enterprise.Contact {
	r := rand.New(rand.NewPCG(ds.opts.Seed, 0xc0a7ac7))
	out := make([]enterprise.Contact, len(ids))
	for i, id := range ids {
		c := enterprise.Contact{EnterpriseID: id, LegalRep: personName(r)}
		c.Name = c.LegalRep
		if r.IntN(3) > 0 { // most firms name someone else to contact
			c.Name = personName(r)
		}
		phone := []byte(mobilePrefixes[r.IntN(len(mobilePrefixes))])
		for range 8 {
			phone = append(phone, byte('0'+r.IntN(10)))
		}
		c.Phone = string(phone)
		out[i] = c
	}
	return out
}
